// The acquireAll edit (analysis/acquireAllEdit.ts) and the check of a swap edit on the run's
// orderings (analysis/fixChecks.ts): the plain shapes get an edit, the others none.
import { test } from "node:test";
import assert from "node:assert/strict";
import { acquireAllEdit } from "../../../src/analysis/acquireAllEdit.ts";
import { afterSwap, cycleRemains, type Ordering } from "../../../src/analysis/fixChecks.ts";
import { applyTextEdit } from "../../../src/analysis/sourceEdits.ts";
import type { Frame } from "../../../src/protocol/events.ts";

const FILE = "/app/bank.ts";

function at(line: number, column = 3): Frame {
  return { file: FILE, line, column, function: "f" };
}

function edited(source: string, held: number, taking: number): string | undefined {
  const made = acquireAllEdit([{ held: at(held), taking: at(taking) }], "bank.ts", () => source);
  return made === undefined ? undefined : applyTextEdit(source, made.edit);
}

test("adjacent awaited acquisitions become one acquireAll, imported from threadlens", () => {
  const source = [
    'import { Lock } from "threadlens";',
    "async function f(a: Lock, b: Lock) {",
    "  await a.acquire();",
    "  // then the other",
    "  await this.b.acquire();",
    "  b.release();",
    "}",
  ].join("\n");
  assert.equal(
    edited(source, 3, 5),
    [
      'import { Lock, acquireAll } from "threadlens";',
      "async function f(a: Lock, b: Lock) {",
      "  await acquireAll([a, this.b]);",
      "  b.release();",
      "}",
    ].join("\n"),
  );
});

test("adjacent acquireSync calls become acquireAllSync; an import already there is kept", () => {
  const source = [
    'import { acquireAllSync, Lock } from "threadlens";',
    "a.acquireSync();",
    "b.acquireSync();",
  ].join("\n");
  assert.equal(
    edited(source, 2, 3),
    ['import { acquireAllSync, Lock } from "threadlens";', "acquireAllSync([a, b]);"].join("\n"),
  );
});

test("no edit where the code does not allow it", () => {
  const head = 'import { Lock } from "threadlens";';
  // Code between the two acquisitions (it would run holding neither, or both).
  assert.equal(
    edited([head, "await a.acquire();", "work();", "await b.acquire();"].join("\n"), 2, 4),
    undefined,
  );
  // A timeout, a result used, a mix of async and sync, an acquire not awaited, one lock twice.
  assert.equal(
    edited([head, "await a.acquire({ timeout: 5 });", "await b.acquire();"].join("\n"), 2, 3),
    undefined,
  );
  assert.equal(
    edited([head, "const ok = await a.acquire();", "await b.acquire();"].join("\n"), 2, 3),
    undefined,
  );
  assert.equal(
    edited([head, "await a.acquire();", "b.acquireSync();"].join("\n"), 2, 3),
    undefined,
  );
  assert.equal(edited([head, "a.acquire();", "await b.acquire();"].join("\n"), 2, 3), undefined);
  assert.equal(
    edited([head, "await a.acquire();", "await a.acquire();"].join("\n"), 2, 3),
    undefined,
  );
  // No named import from threadlens to add acquireAll to.
  assert.equal(edited(["await a.acquire();", "await b.acquire();"].join("\n"), 1, 2), undefined);
});

function ordering(
  thread: number,
  from: number,
  to: number,
  held: number,
  taking: number,
): Ordering {
  return { thread, from, to, held: at(held), taking: at(taking) };
}

test("a swap that reverses the one inverted thread removes the cycle", () => {
  const orderings = [ordering(1, 5, 6, 3, 4), ordering(2, 6, 5, 10, 12)];
  assert.equal(cycleRemains(orderings, 5, 6), true);
  assert.equal(cycleRemains(afterSwap(orderings, at(10), at(12)), 5, 6), false);
});

test("a swap in a function both threads run with swapped locks leaves the cycle", () => {
  const orderings = [ordering(1, 5, 6, 10, 12), ordering(2, 6, 5, 10, 12)];
  assert.equal(cycleRemains(afterSwap(orderings, at(10), at(12)), 5, 6), true);
});

test("two acquisitions on one line are two calls: swapping them reverses only that thread", () => {
  // Thread 1 takes 5 then 6 on line 7 (columns 21 and 43); thread 2 takes 6 then 5 elsewhere.
  const oneLine: Ordering = { thread: 1, from: 5, to: 6, held: at(7, 21), taking: at(7, 43) };
  const orderings = [oneLine, ordering(2, 6, 5, 10, 12)];
  assert.equal(cycleRemains(orderings, 5, 6), true);
  const swapped = afterSwap(orderings, at(7, 21), at(7, 43));
  assert.deepEqual(
    swapped.map((o) => [o.thread, o.from, o.to]),
    [
      [1, 6, 5],
      [2, 6, 5],
    ],
  );
  assert.equal(cycleRemains(swapped, 5, 6), false);
  // Another call on that line (a third column) is not one of the two swapped.
  const other: Ordering = { thread: 3, from: 5, to: 6, held: at(7, 21), taking: at(7, 60) };
  assert.equal(cycleRemains(afterSwap([...orderings, other], at(7, 21), at(7, 43)), 5, 6), true);
});

test("one thread taking both orders is no cycle", () => {
  assert.equal(cycleRemains([ordering(1, 5, 6, 3, 4), ordering(1, 6, 5, 10, 12)], 5, 6), false);
});
