// The real CLI (dist/cli.js) run with `--json` from the repository root, as a user runs it:
// the test runner's own settings kept from the program, every run bounded.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Report } from "../../src/protocol/report.ts";

export const root = fileURLToPath(new URL("../..", import.meta.url));
const cli = path.join(root, "dist/cli.js");

export interface JsonRun {
  readonly status: number | null;
  readonly report: Report;
  /** The program's own output (stdout holds only the report). */
  readonly stderr: string;
}

/** `threadlens <args> --json`; fails the test unless stdout is the JSON report. */
export function threadlensJson(...args: string[]): JsonRun {
  const env = { ...process.env };
  delete env["NODE_TEST_CONTEXT"];
  delete env["NODE_OPTIONS"];
  const r = spawnSync(process.execPath, [cli, ...args, "--json"], {
    cwd: root,
    env,
    encoding: "utf8",
    timeout: 120_000,
    killSignal: "SIGKILL",
  });
  try {
    return { status: r.status, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
  } catch {
    return assert.fail(`not a JSON report (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}
