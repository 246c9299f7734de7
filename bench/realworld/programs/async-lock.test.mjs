// async-lock as its README shows it: a lock per key, several keys at once, Promise.all over
// many callers, and its promise mode.
import { test } from "node:test";
import assert from "node:assert/strict";
import AsyncLock from "async-lock";

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("one key serialises its callers", async () => {
  const lock = new AsyncLock();
  const order = [];
  await Promise.all(
    [1, 2, 3, 4].map((n) =>
      lock.acquire("account", async () => {
        order.push(`in ${n}`);
        await tick();
        order.push(`out ${n}`);
      }),
    ),
  );
  assert.deepEqual(order, ["in 1", "out 1", "in 2", "out 2", "in 3", "out 3", "in 4", "out 4"]);
});

test("several keys at once, from callers naming them in different orders", async () => {
  const lock = new AsyncLock();
  let transfers = 0;
  await Promise.all([
    lock.acquire(["a", "b"], async () => {
      await tick();
      transfers++;
    }),
    lock.acquire(["b", "a"], async () => {
      await tick();
      transfers++;
    }),
  ]);
  assert.equal(transfers, 2);
});

test("callback style and isBusy", async () => {
  const lock = new AsyncLock();
  const result = await new Promise((resolve, reject) =>
    lock.acquire(
      "k",
      (done) => setImmediate(() => done(null, 7)),
      (error, value) => (error ? reject(error) : resolve(value)),
    ),
  );
  assert.equal(result, 7);
  assert.equal(lock.isBusy("k"), false);
});

test("maxPending rejects the caller over the limit", async () => {
  const lock = new AsyncLock({ maxPending: 1 });
  const first = lock.acquire("k", tick);
  const second = lock.acquire("k", tick);
  await assert.rejects(lock.acquire("k", tick), /Too many pending tasks/);
  await Promise.all([first, second]);
});
