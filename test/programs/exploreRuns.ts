// What the `threadlens explore` tests share (explore*.test.ts): the real CLI run as a child
// process, its JSON report, and the exact deadlock of the two-lock inversion fixtures.
import assert from "node:assert/strict";
import type { Finding, Report } from "../../src/protocol/report.ts";
import { cliRun, root, type CliRun } from "./cliJson.ts";
import { lineIn } from "./sourceLines.ts";

export { root };
export const asyncInversion = "test/fixtures/schedules/async-inversion.ts";
export const threadInversion = "test/fixtures/schedules/thread-inversion.ts";
export const clean = "test/fixtures/schedules/clean.ts";
export const lostUpdate = "test/fixtures/schedules/lost-update.ts";

/** `threadlens <args>`, with the bound an explore of 50 runs needs on a loaded machine. */
export function exploreCli(args: readonly string[]): CliRun {
  return cliRun(args, { timeoutMs: 600_000 });
}

export function json(args: readonly string[]): {
  status: number | null;
  report: Report;
  stderr: string;
} {
  const [command = "", ...rest] = args;
  const r = exploreCli([command, "--json", ...rest]);
  try {
    return { status: r.status, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
  } catch {
    return assert.fail(`no JSON report (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}

export function only(report: Report, kind: Finding["kind"]): Finding {
  const found = report.findings.filter((f) => f.kind === kind);
  assert.equal(found.length, 1, `one ${kind} expected: ${JSON.stringify(report.findings)}`);
  return found[0] as Finding;
}

export const lineOf = lineIn;

/** The deadlock of lockA and lockB between first and second, blocked at the second takes. */
export function assertInversionDeadlock(
  report: Report,
  file: string,
  take: string,
  context: string,
) {
  const d = only(report, "deadlock");
  assert.equal(report.findings.length, 1, context);
  assert.deepEqual([...d.locks].sort(), ["lockA", "lockB"], context);
  assert.deepEqual([...d.threads].sort(), ["first", "second"], context);
  const waits = d.sites
    .filter((s) => s.role === "waits")
    .map((s) => `${s.thread}:${s.line}`)
    .sort();
  assert.deepEqual(
    waits,
    [`first:${lineOf(file, `lockB.${take}`, 1)}`, `second:${lineOf(file, `lockA.${take}`, 2)}`],
    context,
  );
  return d;
}
