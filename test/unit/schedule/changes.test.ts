// The priority changes of randomized plans (runtime/schedule/changes.ts): PCT's draws depend on
// the seed, the thread's name and its pass only; a shrunk plan's list replaces them entirely.
import { test } from "node:test";
import assert from "node:assert/strict";
import { initialPrioOf, priorityChange } from "../../../src/runtime/schedule/changes.ts";
import type { RandomPlan } from "../../../src/protocol/schedule.ts";

const pct: RandomPlan = { mode: "pct", seed: 5, depth: 3, steps: 10 };

test("PCT: about depth - 1 changes per steps passes, below every initial priority, the same on every call", () => {
  let changes = 0;
  for (let pass = 0; pass < 10_000; pass++) {
    const prio = priorityChange(pct, "first", pass);
    assert.equal(priorityChange(pct, "first", pass), prio);
    if (prio < 0) continue;
    changes++;
    assert.ok(prio >= 1 && prio < pct.depth, `prio ${prio}`);
  }
  // (depth - 1) / steps = 0.2 of the passes, give or take the draw.
  assert.ok(changes > 1800 && changes < 2200, `${changes} changes in 10000 passes`);
  assert.ok(initialPrioOf(pct, "first") >= pct.depth);
  assert.equal(initialPrioOf(pct, "first"), initialPrioOf({ ...pct, steps: 99 }, "first"));
});

test("a random walk redraws the priority at every pass, above the depth", () => {
  const walk: RandomPlan = { mode: "random", seed: 5, depth: 3, steps: 10 };
  for (let pass = 0; pass < 100; pass++) assert.ok(priorityChange(walk, "t1", pass) >= 3);
});

test("a shrunk plan's changes are the only ones", () => {
  const shrunk: RandomPlan = { ...pct, changes: [{ thread: "first", pass: 2, prio: 1 }] };
  const made: [string, number, number][] = [];
  for (const thread of ["first", "second"]) {
    for (let pass = 0; pass < 50; pass++) {
      const prio = priorityChange(shrunk, thread, pass);
      if (prio >= 0) made.push([thread, pass, prio]);
    }
  }
  assert.deepEqual(made, [["first", 2, 1]]);
});
