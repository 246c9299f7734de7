// Issue 11's shape, correct: two Promise.all branches (no spawn) take two threadlens Locks in
// the same order. No deadlock, no potential deadlock, no self-deadlock.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Lock } from "threadlens";

test("two branches take accounts then audit", async () => {
  const accounts = new Lock("accounts");
  const audit = new Lock("audit");
  const transfer = async (label) => {
    await accounts.acquire();
    await new Promise((resolve) => setImmediate(resolve));
    await audit.acquire();
    audit.release();
    accounts.release();
    return label;
  };
  assert.deepEqual(await Promise.all([transfer("a"), transfer("b")]), ["a", "b"]);
});
