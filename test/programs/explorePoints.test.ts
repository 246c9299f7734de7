// The scheduling points of code that never imports threadlens (DESIGN 8.1 with 3.2), under the
// real CLI: the instrumented Atomics (compareExchange, wait, notify on words shared through
// workerData) with plain worker_threads (start, the 'exit' join), and async-mutex (acquire,
// release) in Promise.all branches (each a logical thread, in the schedule from the
// combinator's call): inversions a plain run never collides are found by `explore` and
// replayed. exploreBranches.test.ts has threadlens Locks in branches and a correct program made
// of every point (one file each half: a file that runs long on its own bounds npm test's pool).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Report } from "../../src/protocol/report.ts";
import {
  asyncMutex,
  assertBranchDeadlock,
  atomics,
  dir,
  exploreBranchDeadlock,
  json,
  lineOf,
  only,
} from "./explorePointsRuns.ts";

/** Both workers wait in Atomics.wait on each other's word; main joins them. */
function assertAtomicsHang(report: Report, context: string): void {
  const hang = only(report, "hang", context);
  assert.deepEqual(hang.threads, ["main", "first", "second"], context);
  assert.deepEqual(
    [...hang.locks].sort(),
    ["Int32Array[0] of workerData.words", "Int32Array[1] of workerData.words"],
    context,
  );
  const wait = lineOf(`${dir}/atomics-inversion-worker.ts`, "Atomics.wait(words, index, 1)");
  assert.deepEqual(
    hang.sites.map((s) => [s.thread, s.line, s.role]),
    [
      ["main", lineOf(atomics, 'once(first, "exit")'), "waits"],
      ["first", wait, "waits"],
      ["second", wait, "waits"],
    ],
    context,
  );
}

test("Atomics mutexes in two plain workers: a plain run ends; explore finds the hang and replays it", () => {
  const plain = json("run", atomics);
  assert.equal(plain.status, 0, "a plain run does not collide");
  assert.deepEqual(plain.report.findings, []);
  const { status, report } = json("explore", atomics);
  const context = `explore seed ${String(report.explored?.seed)}`;
  assert.equal(status, 2, context);
  assertAtomicsHang(report, context);
  assert.equal(report.explored?.failure, "was stopped: hang", context);
  const schedule = report.schedule ?? "";
  assert.match(schedule, /^tl1\./);
  const outcomes: string[] = [];
  for (let i = 0; i < 5; i++) {
    const replay = json("run", atomics, "--schedule", schedule);
    outcomes.push(`${replay.status}`);
    if (replay.status === 2) assertAtomicsHang(replay.report, `${context}, replay ${i + 1}`);
    else assert.deepEqual(replay.report.findings, [], `${context}, replay ${i + 1}`);
  }
  const hung = outcomes.filter((o) => o === "2").length;
  assert.ok(hung >= 4, `${context}: ${hung}/5 replays hung: ${outcomes.join(" ")}`);
});

test("async-mutex in two Promise.all branches: explore finds the deadlock within 50 runs; replayed 10 of 10", () => {
  const { report, deadlock: d, context } = exploreBranchDeadlock(asyncMutex, "acquire()");
  const runs = report.explored?.runs ?? 0;
  assert.ok(runs >= 1 && runs <= 50, `${context}: found in run ${runs}`);
  const schedule = report.schedule ?? "";
  assert.equal(d.schedule, schedule);
  for (let i = 0; i < 10; i++) {
    const replay = json("run", asyncMutex, "--schedule", schedule);
    assert.equal(replay.status, 2, `${context}, replay ${i + 1}`);
    assertBranchDeadlock(replay.report, asyncMutex, "acquire()", `${context}, replay ${i + 1}`);
  }
});
