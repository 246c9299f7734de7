// What the scheduling-point explore tests share (explorePoints.test.ts,
// exploreBranches.test.ts): the fixtures, the CLI's JSON report, the one finding of a run and
// the deadlock of two Promise.all branches.
import assert from "node:assert/strict";
import path from "node:path";
import type { Finding, Report } from "../../src/protocol/report.ts";
import { lineIn } from "./sourceLines.ts";
import { json as exploreJson } from "./exploreRuns.ts";

export const dir = "test/fixtures/schedules";
export const atomics = `${dir}/atomics-inversion.ts`;
export const asyncMutex = `${dir}/async-mutex-inversion.ts`;
export const branches = `${dir}/branch-inversion.ts`;
export const cleanPoints = `${dir}/clean-points.ts`;

export const json = (...args: string[]) => exploreJson(args);

/** The report's one finding, of kind `kind`. */
export function only(report: Report, kind: Finding["kind"], context: string): Finding {
  const found = report.findings.filter((f) => f.kind === kind);
  assert.equal(found.length, 1, `${context}: one ${kind}: ${JSON.stringify(report.findings)}`);
  assert.equal(report.findings.length, 1, context);
  return found[0] as Finding;
}

export const lineOf = lineIn;

/** The deadlock of lockA and lockB between the two branches, at their second acquisitions. */
export function assertBranchDeadlock(report: Report, file: string, take: string, context: string) {
  const d = only(report, "deadlock", context);
  const call = lineOf(file, "await Promise.all(");
  const branch = (i: number): string => `main/Promise.all[${i}]@${path.basename(file)}:${call}`;
  assert.deepEqual(d.threads, [branch(0), branch(1)], context);
  assert.deepEqual([...d.locks].sort(), ["lockA", "lockB"], context);
  assert.deepEqual(
    d.sites.map((s) => [s.thread, s.line, s.role]),
    [
      [branch(0), lineOf(file, `lockA.${take}`, 1), "holds"],
      [branch(0), lineOf(file, `lockB.${take}`, 1), "waits"],
      [branch(1), lineOf(file, `lockB.${take}`, 2), "holds"],
      [branch(1), lineOf(file, `lockA.${take}`, 2), "waits"],
    ],
    context,
  );
  return d;
}

/**
 * `file`'s two Promise.all branches taking lockA and lockB in opposite orders: a plain run only
 * predicts their deadlock (exit 1), `explore` finds it (exit 2), as assertBranchDeadlock says.
 */
export function exploreBranchDeadlock(
  file: string,
  take: string,
): { report: Report; deadlock: Finding; context: string } {
  const plain = json("run", file);
  assert.equal(plain.status, 1, "a plain run only predicts it");
  only(plain.report, "potential-deadlock", "plain run");
  const { status, report } = json("explore", file);
  const context = `explore seed ${String(report.explored?.seed)}`;
  assert.equal(status, 2, context);
  return { report, deadlock: assertBranchDeadlock(report, file, take, context), context };
}
