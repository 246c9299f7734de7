// Scheduling points under the real CLI (DESIGN 8.1), the second half of explorePoints.test.ts:
// threadlens Locks in two Promise.all branches deadlock under `explore` where a plain run only
// predicts it, and a correct program of Atomics, plain workers, async-mutex and Promise.all
// explores clean.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  assertBranchDeadlock,
  branches,
  cleanPoints,
  exploreBranchDeadlock,
  json,
} from "./explorePointsRuns.ts";

test("threadlens Locks in two Promise.all branches: explore finds the deadlock a plain run only predicts", () => {
  const { report, context } = exploreBranchDeadlock(branches, "acquire()");
  const replay = json("run", branches, "--schedule", report.schedule ?? "");
  assert.equal(replay.status, 2, `${context}, replay`);
  assertBranchDeadlock(replay.report, branches, "acquire()", `${context}, replay`);
});

test("a correct program of Atomics, plain workers, async-mutex and Promise.all explored 20 runs: no finding", () => {
  const { status, report } = json("explore", cleanPoints, "--runs", "20");
  const context = `explore seed ${String(report.explored?.seed)}`;
  assert.equal(status, 0, `${context}: ${JSON.stringify(report.findings)}`);
  assert.deepEqual(report.findings, [], context);
  assert.equal(report.explored?.runs, 20, context);
  assert.equal(report.explored?.failure, undefined, context);
});
