// What `run --confirm`, `run --schedule` and `explore` share (DESIGN 8.1): the replay of a
// token (launch/schedules.ts, with its fingerprint), the report of a scheduled run, and one run
// of the program under a schedule with the scheduler's notes read back.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Report } from "../protocol/report.ts";
import {
  ENV_SCHEDULE,
  ENV_SCHEDULE_OUT,
  ScheduleTokenError,
  type ScheduleNote,
} from "../protocol/schedule.ts";
import { replayEnv as replayEnvOf, type ReplayEnv } from "../launch/schedules.ts";
import { UsageError } from "./args.ts";
import { runToReport, type RunOutcome } from "./runOnce.ts";
import type { ProgramLaunch } from "../launch/supervise.ts";

/** Blocking findings: the ones a schedule makes happen. */
const BLOCKING = new Set(["deadlock", "self-deadlock", "hang"]);

/** The report with `schedule` on the run and on each finding that stopped it. */
export function withScheduleOf(report: Report, schedule: string): Report {
  return {
    ...report,
    schedule,
    findings: report.findings.map((f) => (BLOCKING.has(f.kind) ? { ...f, schedule } : f)),
  };
}

/** For `run --schedule`: a damaged token is a usage error; one made for other code is ignored. */
export function replayEnv(token: string, file: string): ReplayEnv {
  try {
    return replayEnvOf(token, file);
  } catch (error) {
    if (error instanceof ScheduleTokenError) throw new UsageError(`--schedule: ${error.message}`);
    throw error;
  }
}

export interface ScheduledOutcome extends RunOutcome {
  readonly notes: readonly ScheduleNote[];
}

function readNotes(file: string): ScheduleNote[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return []; // the scheduler wrote nothing
  }
  const notes: ScheduleNote[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      notes.push(JSON.parse(line) as ScheduleNote);
    } catch {
      // a line cut short by the program's kill: the ones before it stand
    }
  }
  return notes;
}

/**
 * Runs the program once under `token`, its own output discarded (stderr to the file
 * descriptor `stderrFd` when given); returns report and notes.
 */
export async function runScheduled(
  launch: ProgramLaunch,
  token: string,
  timeoutMs: number | undefined,
  stderrFd?: number,
): Promise<ScheduledOutcome> {
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-schedule-"));
  const out = path.join(dir, "notes.jsonl");
  try {
    const outcome = await runToReport({
      ...launch,
      traceFile: undefined,
      timeoutMs,
      env: { ...(launch.env ?? process.env), [ENV_SCHEDULE]: token, [ENV_SCHEDULE_OUT]: out },
      stdio: ["ignore", "ignore", stderrFd ?? "ignore"],
    });
    return { ...outcome, notes: readNotes(out) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
