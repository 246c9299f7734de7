// p-queue as its README shows it: concurrency, priorities, onIdle.
import { test } from "node:test";
import assert from "node:assert/strict";
import PQueue from "p-queue";

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("never runs more than `concurrency` tasks", async () => {
  const queue = new PQueue({ concurrency: 2 });
  let running = 0;
  let most = 0;
  for (let i = 0; i < 10; i++)
    void queue.add(async () => {
      most = Math.max(most, ++running);
      await tick();
      running--;
    });
  await queue.onIdle();
  assert.equal(most, 2);
});

test("runs higher priorities first", async () => {
  const queue = new PQueue({ concurrency: 1, autoStart: false });
  const order = [];
  void queue.add(() => order.push("low"), { priority: 0 });
  void queue.add(() => order.push("high"), { priority: 5 });
  queue.start();
  await queue.onIdle();
  assert.deepEqual(order, ["high", "low"]);
});
