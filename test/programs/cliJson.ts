// The real CLI (dist/cli.js) run with `--json` from the repository root, as a user runs it:
// the test runner's own settings kept from the program, every run bounded.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Report } from "../../src/protocol/report.ts";

export const root = fileURLToPath(new URL("../..", import.meta.url));
export const cli = path.join(root, "dist/cli.js");

/** The environment a CLI run gets: this process's, without the test runner's own settings. */
export function cliEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env["NODE_TEST_CONTEXT"];
  delete env["NODE_OPTIONS"];
  return env;
}

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `threadlens <args>` to its end, bounded by `timeoutMs` (then sent `killSignal`). */
export function cliRun(
  args: readonly string[],
  timeoutMs: number,
  killSignal: NodeJS.Signals = "SIGTERM",
): CliRun {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    env: cliEnv(),
    encoding: "utf8",
    timeout: timeoutMs,
    killSignal,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface JsonRun {
  readonly status: number | null;
  readonly report: Report;
  /** The program's own output (stdout holds only the report). */
  readonly stderr: string;
}

/** `threadlens <args> --json`; fails the test unless stdout is the JSON report. */
export function threadlensJson(...args: string[]): JsonRun {
  const r = cliRun([...args, "--json"], 120_000, "SIGKILL");
  try {
    return { status: r.status, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
  } catch {
    return assert.fail(`not a JSON report (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}
