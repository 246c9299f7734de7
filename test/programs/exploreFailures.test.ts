// `threadlens explore` under the real CLI (DESIGN 8.1): runs that fail without a deadlock (an
// invariant main asserts, an uncaught error in a task) are found and replayed; the human
// output says the seed, the failing run and how to replay it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { asyncInversion, lostUpdate, exploreCli, json } from "./exploreRuns.ts";

test("a broken invariant main asserts: explore stops at the run that breaks it (exit 1), replayed", () => {
  const { status, report } = json(["explore", lostUpdate, "--", "main"]);
  const context = `explore seed ${String(report.explored?.seed)}`;
  assert.equal(status, 1, context);
  assert.equal(report.exitCode, 1, context);
  assert.deepEqual(report.findings, [], context);
  assert.equal(report.explored?.failure, "failed with exit code 1", context);
  for (let i = 0; i < 3; i++) {
    const replay = json(["run", lostUpdate, "--schedule", report.schedule ?? "", "--", "main"]);
    assert.equal(replay.status, 1, `replay ${i + 1}`);
    assert.match(replay.stderr, /Error: lost update: counter is 1, expected 2/);
  }
});

test("an uncaught error in a task (the program exits 0): explore reports it, exit 1", () => {
  const plain = json(["run", lostUpdate]);
  assert.equal(plain.status, 0, "a plain run keeps the invariant");
  const { status, report } = json(["explore", lostUpdate]);
  const context = `explore seed ${String(report.explored?.seed)}`;
  assert.equal(status, 1, context);
  assert.equal(report.exitCode, 0, context);
  assert.equal(
    report.explored?.failure,
    "threw in task checker: Error: lost update: counter is 1, expected 2",
    context,
  );
  const replay = json(["run", lostUpdate, "--schedule", report.schedule ?? ""]);
  assert.match(replay.stderr, /Exception in task checker:\nError: lost update: counter is 1/);
});

test("human output: the seed, the failing run and how to replay it", () => {
  const r = exploreCli(["explore", asyncInversion, "--seed", "11"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /threadlens explore: up to 50 runs, strategy pct, seed 11/);
  assert.match(r.stderr, /ERROR: threadlens: deadlock/);
  assert.match(
    r.stderr,
    /threadlens explore: run \d+ of 50 \(strategy pct, seed 11\) was stopped: deadlock/,
  );
  assert.match(
    r.stderr,
    /replay it: threadlens run test\/fixtures\/schedules\/async-inversion\.ts --schedule tl1\.[A-Za-z0-9_-]+/,
  );
  assert.equal(r.stdout, "", "the program's own output is not relayed");
});
