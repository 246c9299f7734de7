// A thread's holds keep the order they were taken in (what Map insertion order gave before):
// a release in the middle keeps the others' order, a re-take comes last.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HeldLocks, type Hold } from "../../../src/analysis/heldLocks.ts";

const hold = (object: number): Hold => ({ thread: 1, object, count: 1, site: 0, since: 0 });

test("held locks: lookup, order of taking, release in the middle, re-take last", () => {
  const held = new HeldLocks();
  for (const object of [5, 3, 9]) held.add(hold(object));
  assert.equal(held.size, 3);
  assert.equal(held.get(3)?.object, 3);
  assert.equal(held.has(4), false);
  assert.equal(held.delete(3), true);
  assert.equal(held.delete(3), false);
  held.add(hold(3));
  assert.deepEqual([...held.keys()], [5, 9, 3]);
  assert.deepEqual(
    [...held.values()].map((h) => h.object),
    [5, 9, 3],
  );
});
