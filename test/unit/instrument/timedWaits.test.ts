// A timed Atomics.wait under the preload: what its recording took comes out of its timeout.
import { test } from "node:test";
import assert from "node:assert/strict";
import { remainingOf } from "../../../src/runtime/instrument/timedWaits.ts";

test("a timed wait's timeout less the time its recording took, never below 0", () => {
  assert.equal(remainingOf(1000, 500, 512), 988);
  assert.equal(remainingOf(5, 500, 512), 0);
  assert.equal(remainingOf(0.5, 500, 500), 0.5);
});

test("no timeout, an infinite, NaN, zero or negative one, or a non-number: passed on as given", () => {
  for (const timeout of [undefined, Infinity, NaN, 0, -3])
    assert.equal(remainingOf(timeout, 500, 512), timeout);
  const big = 10n as unknown as number;
  assert.equal(remainingOf(big, 500, 512), big);
});
