// An async wait leaves its thread's loop running (DESIGN 5.6): a program whose main awaits an
// event or an Atomics.waitAsync that a timer of its own ends later is correct, under `run`
// (exit 0, no finding) as under plain node. Only a Sync wait, or a loop with nothing else left
// to run, makes a waiting thread count as blocked (test/unit/analysis/precision.test.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { threadlensJson } from "./cliJson.ts";

function run(fixture: string) {
  return threadlensJson("run", `test/fixtures/hangs/${fixture}`);
}

test("main awaits an event a timer of its own sets later: no hang", () => {
  const { status, report, stderr } = run("event-set-by-timer.ts");
  assert.deepEqual(report.findings, []);
  assert.equal(status, 0);
  assert.match(stderr, /^ready after 30 ticks$/m);
});

test("main's Atomics.waitAsync is pending while its timers run, then notified: no hang", () => {
  const { status, report, stderr } = run("waitasync-notified-by-timer.ts");
  assert.deepEqual(report.findings, []);
  assert.equal(status, 0);
  assert.match(stderr, /^woken: ok after 30 ticks$/m);
});
