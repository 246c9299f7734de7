// Branch identity (instrument/branchPath.ts): which Promise combinator branch a stack read in
// an operation's reaction belongs to, from stack text as V8 writes it on Node 20.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  branchName,
  branchPathOf,
  type BranchPath,
} from "../../../src/runtime/instrument/branchPath.ts";

const BANK = "file:///app/bank.ts";

/** The stack of an acquisition at `line` of transfer(), run as element `index` of Promise.all. */
function transferStack(line: number, index: number): string {
  return [
    "Error",
    "    at /app/node_modules/threadlens/dist/runtime.js:1020:21",
    `    at async transfer (${BANK}:${line}:23)`,
    `    at async Promise.all (index ${index})`,
    `    at async ${BANK}:17:1`,
  ].join("\n");
}

function pathOf(stack: string): BranchPath {
  const branch = branchPathOf(stack);
  assert.ok(branch !== undefined, stack);
  return branch;
}

test("the same function called as two branches (swapped locks) is two branches", () => {
  const firstLock0 = pathOf(transferStack(10, 0));
  const secondLock0 = pathOf(transferStack(12, 0));
  const firstLock1 = pathOf(transferStack(10, 1));
  const secondLock1 = pathOf(transferStack(12, 1));
  // Every acquisition of one branch, whatever its line, is the same branch...
  assert.equal(firstLock0.key, secondLock0.key);
  assert.equal(firstLock1.key, secondLock1.key);
  // ...and the two elements are two.
  assert.notEqual(firstLock0.key, firstLock1.key);
  assert.deepEqual(
    [firstLock0, firstLock1].map((b) => [b.combinator, b.index, b.where, branchName("main", b)]),
    [
      ["all", 0, "bank.ts:17", "main/Promise.all[0]@bank.ts:17"],
      ["all", 1, "bank.ts:17", "main/Promise.all[1]@bank.ts:17"],
    ],
  );
});

test("a branch nested in another branch has its own path, inside the outer one's", () => {
  const nested = [
    "Error",
    "    at file:///app/jobs.ts:1:128",
    "    at async take (file:///app/jobs.ts:2:25)",
    "    at async Promise.allSettled (index 0)",
    "    at async file:///app/jobs.ts:4:72",
    "    at async Promise.all (index 1)",
    "    at async outer (file:///app/jobs.ts:4:26)",
    "    at async file:///app/jobs.ts:5:1",
  ].join("\n");
  const sameInnerOtherOuter = nested.replace("Promise.all (index 1)", "Promise.all (index 0)");
  const inner = pathOf(nested);
  assert.deepEqual([inner.combinator, inner.index, inner.where], ["allSettled", 0, "jobs.ts:4"]);
  assert.equal(branchName("worker-1", inner), "worker-1/Promise.allSettled[0]@jobs.ts:4");
  // The outer element is part of the inner branch's identity.
  assert.notEqual(inner.key, pathOf(sameInnerOtherOuter).key);
  assert.match(inner.key, /Promise\.all \(index 1\)/);
});

test("Promise.any and Promise.allSettled branches are branches", () => {
  for (const combinator of ["any", "allSettled"] as const) {
    const stack = [
      "Error",
      "    at async take (file:///app/race.ts:2:25)",
      `    at async Promise.${combinator} (index 2)`,
      "    at async main (file:///app/race.ts:9:3)",
    ].join("\n");
    const branch = pathOf(stack);
    assert.deepEqual([branch.combinator, branch.index, branch.where], [combinator, 2, "race.ts:9"]);
  }
});

test("outside any combinator (no async combinator frame) the caller's own thread runs it", () => {
  const plain = [
    "Error",
    "    at file:///app/main.ts:1:128",
    "    at async take (file:///app/main.ts:2:25)",
    "    at async file:///app/main.ts:7:1",
  ].join("\n");
  assert.equal(branchPathOf(plain), undefined);
  // A frame that merely mentions Promise.all is not one.
  assert.equal(branchPathOf(`${plain}\n    at Promise.all (index 0) in a message`), undefined);
  assert.equal(branchPathOf(""), undefined);
});

test("a combinator frame with no program frame outside it has no location in its name", () => {
  const stack =
    "Error\n    at async take (file:///app/a.ts:2:25)\n    at async Promise.all (index 3)";
  const branch = pathOf(stack);
  assert.equal(branch.where, undefined);
  assert.equal(branchName("main", branch), "main/Promise.all[3]");
});

test("the preload's own combinator wrapper frame is neither the branch's place nor its identity", () => {
  const wrapped = (wrapperLine: number): string =>
    [
      "Error",
      "    at async transfer (file:///app/bank.ts:10:23)",
      "    at async Promise.all (index 1)",
      `    at async Function.threadlensCombinator (/app/node_modules/threadlens/dist/runtime.js:${wrapperLine}:16)`,
      "    at async file:///app/bank.ts:17:1",
    ].join("\n");
  const branch = pathOf(wrapped(1587));
  assert.equal(branchName("main", branch), "main/Promise.all[1]@bank.ts:17");
  assert.equal(branch.key, pathOf(wrapped(2000)).key);
  assert.equal(branch.key, pathOf(transferStack(12, 1)).key);
});

test("the preload's race (an all followed by its threadlensRace frame) names race branches", () => {
  const raced = (index: number, wrapperLine: number): string =>
    [
      "Error",
      "    at async debit (file:///app/bank.ts:13:3)",
      `    at async threadlensRaceBranch (/app/node_modules/threadlens/dist/runtime.js:${wrapperLine}:30)`,
      `    at async Promise.all (index ${index})`,
      `    at async Function.threadlensRace (/app/node_modules/threadlens/dist/runtime.js:${wrapperLine + 9}:9)`,
      "    at async file:///app/bank.ts:30:15",
    ].join("\n");
  const zero = pathOf(raced(0, 700));
  assert.deepEqual([zero.combinator, zero.index, zero.where], ["race", 0, "bank.ts:30"]);
  assert.equal(branchName("main", pathOf(raced(1, 700))), "main/Promise.race[1]@bank.ts:30");
  // The wrappers' own positions are not part of a branch's identity; its index is.
  assert.equal(zero.key, pathOf(raced(0, 900)).key);
  assert.notEqual(zero.key, pathOf(raced(1, 700)).key);
  // A race's branch is not the all's branch at the same await.
  const all = raced(0, 700).replace(/.*threadlensRace .*\n/, "");
  assert.equal(pathOf(all).combinator, "all");
  assert.notEqual(pathOf(all).key, zero.key);
});
