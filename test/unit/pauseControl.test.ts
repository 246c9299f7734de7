// The recorder's pause (DESIGN 6): when it reports the program paused, naming the threads that
// did not reach a synchronization point. A child process's threads get their time counted from
// when their process told them the pause, not from the pause itself: on a loaded machine the
// hop between processes took longer than their whole allowance. On an injected clock.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  PAUSE_REACH_PROCESS_MS,
  PAUSE_SETTLE_MS,
  PAUSE_SETTLE_PROCESS_MS,
  PauseControl,
} from "../../src/recorder/pauseControl.ts";
import type { RecorderOutput } from "../../src/protocol/recorderControl.ts";
import type { ReportThread } from "../../src/protocol/report.ts";

const ROOT_THREAD = 1;
const CHILD_THREAD = 1_000_001;

function running(ident: number, name: string): ReportThread {
  return { name, ident, kind: "main", state: "running", stack: [] };
}

function pauseControl(childReachedAt: () => number | undefined) {
  let now = 0;
  const sent: RecorderOutput[] = [];
  const control = new PauseControl(
    new SharedArrayBuffer(16),
    (message) => sent.push(message),
    (ident) => (ident === CHILD_THREAD ? childReachedAt() : null),
    () => now,
  );
  return {
    control,
    sent,
    at(time: number): void {
      now = time;
    },
  };
}

const threads = [running(ROOT_THREAD, "main"), running(CHILD_THREAD, "looper")];

test("this process's threads get PAUSE_SETTLE_MS to park; then the pause is reported, naming who runs", () => {
  const { control, sent, at } = pauseControl(() => undefined);
  control.command({ command: "pause" });
  at(PAUSE_SETTLE_MS - 1);
  control.tick([threads[0] as ReportThread]);
  assert.deepEqual(sent, []);
  at(PAUSE_SETTLE_MS);
  control.tick([threads[0] as ReportThread]);
  assert.deepEqual(sent, [{ type: "paused", parked: [], running: ["main"] }]);
});

test("a child process's thread gets its time from when its process told it the pause", () => {
  let told: number | undefined = undefined;
  const { control, sent, at } = pauseControl(() => told);
  control.command({ command: "pause" });
  const generation = control.generation;
  control.parked(generation, { thread: ROOT_THREAD, site: 5 });
  // The hop to the child is slow: longer than the child's whole allowance, and nothing is said.
  at(PAUSE_SETTLE_PROCESS_MS + 500);
  control.tick(threads);
  assert.deepEqual(sent, []);
  told = PAUSE_SETTLE_PROCESS_MS + 500;
  at(told + PAUSE_SETTLE_PROCESS_MS - 1);
  control.tick(threads);
  assert.deepEqual(sent, []);
  control.parked(generation, { thread: CHILD_THREAD, site: 7 });
  control.tick(threads);
  assert.deepEqual(sent, [
    {
      type: "paused",
      parked: [
        { thread: ROOT_THREAD, site: 5 },
        { thread: CHILD_THREAD, site: 7 },
      ],
      running: [],
    },
  ]);
});

test("a child's thread that does not park is named after its allowance; a process that never says, after PAUSE_REACH_PROCESS_MS", () => {
  let told: number | undefined = 100;
  const first = pauseControl(() => told);
  first.control.command({ command: "pause" });
  first.at(100 + PAUSE_SETTLE_PROCESS_MS);
  first.control.tick(threads);
  assert.deepEqual(first.sent, [{ type: "paused", parked: [], running: ["main", "looper"] }]);
  told = undefined;
  const second = pauseControl(() => told);
  second.control.command({ command: "pause" });
  second.at(PAUSE_REACH_PROCESS_MS - 1);
  second.control.tick(threads);
  assert.deepEqual(second.sent, []);
  second.at(PAUSE_REACH_PROCESS_MS);
  second.control.tick(threads);
  assert.deepEqual(second.sent, [{ type: "paused", parked: [], running: ["main", "looper"] }]);
});
