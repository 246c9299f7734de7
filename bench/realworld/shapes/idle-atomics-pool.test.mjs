// Issue 11's shape: a hand-made pool whose idle workers block in Atomics.wait for work while
// main, with a timer pending, is between two batches; then main hands them work and stops
// them. Every worker is blocked, but main is not: it will notify them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";

const WORKER = `
const { workerData, parentPort } = require("node:worker_threads");
const { control, results, index } = workerData;
let seen = 0;
for (;;) {
  Atomics.wait(control, 0, seen);
  seen = Atomics.load(control, 0);
  if (seen < 0) break;
  results[index] += seen;
  parentPort.postMessage("done");
}`;

test("idle pool workers wait in Atomics.wait between batches", async () => {
  const control = new Int32Array(new SharedArrayBuffer(4));
  const results = new Int32Array(new SharedArrayBuffer(8));
  const workers = [0, 1].map(
    (index) => new Worker(WORKER, { eval: true, workerData: { control, results, index } }),
  );
  await sleep(100); // the pool sits idle: every worker blocked, main's timer pending
  for (const batch of [1, 2]) {
    const done = workers.map((w) => once(w, "message"));
    Atomics.store(control, 0, batch);
    Atomics.notify(control, 0);
    await Promise.all(done);
    await sleep(50);
  }
  const exits = workers.map((w) => once(w, "exit"));
  Atomics.store(control, 0, -1);
  Atomics.notify(control, 0);
  await Promise.all(exits);
  assert.deepEqual([...results], [3, 3]);
});
