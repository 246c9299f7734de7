// Issue 11's shape: main leaves an Atomics.waitAsync pending and goes on running (timers, I/O)
// for a while before it notifies the word itself. Not a hang: main was never stuck.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";

test("a wait pending while main goes on working", async () => {
  const word = new Int32Array(new SharedArrayBuffer(4));
  const waited = Atomics.waitAsync(word, 0, 0);
  assert.equal(waited.async, true);
  let rounds = 0;
  for (let i = 0; i < 20; i++) {
    await sleep(10);
    rounds++;
  }
  Atomics.store(word, 0, 1);
  Atomics.notify(word, 0);
  assert.equal(await waited.value, "ok");
  assert.equal(rounds, 20);
});
