// Replaying a controlled schedule (DESIGN 8.1) for every supervisor (`threadlens run
// --schedule`, the debug adapter's `schedule` attribute): the fingerprint that ties a token to
// the program it was made for, and the environment that turns the program's scheduler on.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { ENV_SCHEDULE, decodeSchedule } from "../protocol/schedule.ts";

// node:crypto is loaded on first use: a plain `threadlens run` of a JavaScript program never
// needs it, and loading it costs every start of the CLI some milliseconds (tens when loaded).
// Any absolute path does: only a built-in module is required through it.
const requireBuiltin = createRequire(path.resolve("threadlens-builtins.js"));

/** A short hash of the program's source: a token made for other code does not fit it. */
export function programFingerprint(file: string): string {
  const { createHash } = requireBuiltin("node:crypto") as typeof import("node:crypto");
  return createHash("sha256").update(readFileSync(file)).digest("base64url").slice(0, 12);
}

export interface ReplayEnv {
  /** The environment that turns the scheduler on; undefined: run unscheduled. */
  readonly env?: NodeJS.ProcessEnv;
  /** What to tell the user (the token does not fit the program). */
  readonly warning?: string;
}

/**
 * The environment replaying `token` on `file`. A damaged token throws ScheduleTokenError; one
 * made for another version of the program runs unscheduled, with a warning that says so.
 */
export function replayEnv(token: string, file: string): ReplayEnv {
  const plan = decodeSchedule(token);
  if (plan.program !== undefined && plan.program !== programFingerprint(file)) {
    return {
      warning: `the schedule does not fit ${path.basename(file)}: it was made for another version of the program (its source changed since); running it unscheduled`,
    };
  }
  return { env: { [ENV_SCHEDULE]: token } };
}
