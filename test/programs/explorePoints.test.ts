// The scheduling points of code that never imports threadlens (DESIGN 8.1 with 3.2), under the
// real CLI: the instrumented Atomics (compareExchange, wait, notify on words shared through
// workerData), plain worker_threads (start, the 'exit' join), async-mutex (acquire, release)
// and Promise.all branches (each a logical thread, in the schedule from the combinator's
// call). Inversions a plain run never collides are found by `explore` and replayed; a correct
// program made of the same points explores clean.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { Finding, Report } from "../../src/protocol/report.ts";
import { lineIn } from "./sourceLines.ts";
import { json as exploreJson } from "./exploreRuns.ts";

const dir = "test/fixtures/schedules";
const atomics = `${dir}/atomics-inversion.ts`;
const asyncMutex = `${dir}/async-mutex-inversion.ts`;
const branches = `${dir}/branch-inversion.ts`;
const cleanPoints = `${dir}/clean-points.ts`;

const json = (...args: string[]) => exploreJson(args);

function only(report: Report, kind: Finding["kind"], context: string): Finding {
  const found = report.findings.filter((f) => f.kind === kind);
  assert.equal(found.length, 1, `${context}: one ${kind}: ${JSON.stringify(report.findings)}`);
  assert.equal(report.findings.length, 1, context);
  return found[0] as Finding;
}

const lineOf = lineIn;

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

/** The deadlock of lockA and lockB between the two branches, at their second acquisitions. */
function assertBranchDeadlock(report: Report, file: string, take: string, context: string) {
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

test("async-mutex in two Promise.all branches: explore finds the deadlock within 50 runs; replayed 10 of 10", () => {
  const plain = json("run", asyncMutex);
  assert.equal(plain.status, 1, "a plain run only predicts it");
  only(plain.report, "potential-deadlock", "plain run");
  const { status, report } = json("explore", asyncMutex);
  const context = `explore seed ${String(report.explored?.seed)}`;
  assert.equal(status, 2, context);
  const d = assertBranchDeadlock(report, asyncMutex, "acquire()", context);
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

test("threadlens Locks in two Promise.all branches: explore finds the deadlock a plain run only predicts", () => {
  const plain = json("run", branches);
  assert.equal(plain.status, 1, "a plain run only predicts it");
  only(plain.report, "potential-deadlock", "plain run");
  const { status, report } = json("explore", branches);
  const context = `explore seed ${String(report.explored?.seed)}`;
  assert.equal(status, 2, context);
  assertBranchDeadlock(report, branches, "acquire()", context);
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
