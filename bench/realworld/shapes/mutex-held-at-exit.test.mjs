// Issue 11's shape: a single-threaded program ends with an async-mutex Mutex still locked (a
// test that takes a lock and never needs to give it back). Nobody else can ever want it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Mutex } from "async-mutex";

test("a mutex still locked when the program ends", async () => {
  const mutex = new Mutex();
  await mutex.acquire();
  assert.equal(mutex.isLocked(), true);
});
