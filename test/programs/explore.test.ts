// `threadlens explore` under the real CLI (DESIGN 8.1), on an async two-task inversion that a
// plain run never collides: randomized schedules (PCT) find its deadlock within 50 runs; the
// schedule of the failing run replays it with `run --schedule` 10 times out of 10; a token made
// for other code says so and runs unscheduled. The other explore tests: exploreThreads (a
// worker-thread inversion, the random walk), exploreClean (a correct program, usage errors),
// exploreFailures (failures that are no deadlock, the human output).
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { asyncInversion, json, only, assertInversionDeadlock, root } from "./exploreRuns.ts";

let asyncSchedule = "";

test("async inversion: a plain run only predicts it; explore finds the deadlock within 50 runs", () => {
  for (let i = 0; i < 3; i++) {
    const plain = json(["run", asyncInversion]);
    assert.equal(plain.status, 1, "a plain run never collides: it only predicts the deadlock");
    only(plain.report, "potential-deadlock");
    assert.equal(plain.report.findings.filter((f) => f.kind === "deadlock").length, 0);
  }
  const { status, report } = json(["explore", asyncInversion]);
  const seed = report.explored?.seed;
  const context = `explore seed ${String(seed)}`;
  assert.equal(status, 2, context);
  const d = assertInversionDeadlock(report, asyncInversion, "acquire()", context);
  assert.equal(report.explored?.strategy, "pct");
  assert.equal(typeof seed, "number");
  const runs = report.explored?.runs ?? 0;
  assert.ok(runs >= 1 && runs <= 50, `${context}: found in run ${runs}`);
  assert.equal(report.explored?.failure, "was stopped: deadlock");
  assert.match(report.schedule ?? "", /^tl1\.[A-Za-z0-9_-]+$/);
  assert.equal(d.schedule, report.schedule);
  asyncSchedule = report.schedule ?? "";
});

test("async inversion: the explored schedule replays the deadlock 10 times out of 10", () => {
  assert.notEqual(asyncSchedule, "", "the explore test ran first");
  for (let i = 0; i < 10; i++) {
    const { status, report } = json(["run", asyncInversion, "--schedule", asyncSchedule]);
    assert.equal(status, 2, `replay ${i + 1}`);
    const d = assertInversionDeadlock(report, asyncInversion, "acquire()", `replay ${i + 1}`);
    assert.equal(d.schedule, asyncSchedule);
    assert.equal(report.explored, undefined);
  }
});

test("an explored schedule for edited code: says it does not fit and runs unscheduled", () => {
  assert.notEqual(asyncSchedule, "", "the explore test ran first");
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-explore-edited-"));
  try {
    const edited = path.join(dir, "async-inversion.ts");
    copyFileSync(path.join(root, asyncInversion), edited);
    writeFileSync(edited, `${readFileSync(edited, "utf8")}\n// edited\n`);
    const { status, report, stderr } = json(["run", edited, "--schedule", asyncSchedule]);
    assert.match(stderr, /the schedule does not fit async-inversion\.ts: .*running it unscheduled/);
    assert.equal(status, 1, "unscheduled, it only predicts the deadlock");
    only(report, "potential-deadlock");
    assert.equal(report.findings.filter((f) => f.kind === "deadlock").length, 0);
    assert.equal(report.schedule, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
