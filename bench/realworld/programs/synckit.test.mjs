// synckit as its README shows it: an async function in a worker called synchronously (the
// caller blocks in Atomics.wait until the worker answers).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createSyncFn } from "synckit";

const worker = new URL("./synckit-worker.mjs", import.meta.url).pathname;

test("calls an async worker function synchronously", () => {
  const add = createSyncFn(worker);
  assert.equal(add(2, 3), 5);
  assert.equal(add(40, 2), 42);
});

test("many synchronous calls in a row", () => {
  const add = createSyncFn(worker);
  let total = 0;
  for (let i = 0; i < 50; i++) total = add(total, i);
  assert.equal(total, 1225);
});
