// Whether any Promise.all/allSettled/any/race branch can be running in this thread (DESIGN 3.1).
// A branch is only told apart by reading V8's async stack (branches.ts), one structured stack
// capture per operation. A branch's code runs only while its combinator still waits for it, so
// an operation that runs while no combinator call of this thread is pending is not in any
// branch: its logical thread is the caller's own, known without a capture.
//
// The combinators are wrapped in this thread by an async function that awaits the original:
// V8 follows an async stack only through a promise with exactly one reaction, so the wrapper
// may not add a reaction of its own to the inputs or to the combined promise (that would erase
// the very frames branches.ts reads); awaiting the combined promise inside the wrapper keeps
// the chain whole (the wrapper adds one frame, `at async Function.threadlensCombinator`, which
// branchPath.ts skips) and tells when the call is over. A call counts as live until its
// combined promise settles: Promise.all rejects at the first rejection and Promise.any
// fulfills at the first fulfillment while the other branches may run on, unseen from then on
// (they are recorded as their caller's thread, as before). Promise.race has no branch frames
// in V8, so it is replaced by an all over per-input wrappers (raceBranches.ts), counted the
// same way until the race settles. A subclass's combinator (`MyPromise.all`) is the original:
// an async function can only return a native promise.

import { raceAsBranches } from "./raceBranches.ts";

let live = 0;

/**
 * Under a controlled schedule only (schedule/branchStarts.ts): sees each call's inputs first
 * and may hand the combinator others in their place (same order, same outcomes).
 */
type BranchStarts = (combinator: string, values: Iterable<unknown>) => Iterable<unknown>;
let branchStarts: BranchStarts | undefined;

export function onBranchStarts(hook: BranchStarts): void {
  branchStarts = hook;
}

/** True while a combinator call of this thread may have a branch still running. */
export function branchesMayRun(): boolean {
  return live > 0;
}

type Combinator = (this: PromiseConstructor, values: Iterable<unknown>) => Promise<unknown>;

function counted(original: Combinator, name: string): Combinator {
  const wrapper = {
    async threadlensCombinator(
      this: PromiseConstructor,
      values: Iterable<unknown>,
    ): Promise<unknown> {
      live++;
      try {
        const inputs = branchStarts === undefined ? values : branchStarts(name, values);
        return await original.call(this, inputs);
      } finally {
        live--;
      }
    },
  }.threadlensCombinator;
  return function (this: PromiseConstructor, values: Iterable<unknown>): Promise<unknown> {
    return this === Promise ? wrapper.call(this, values) : original.call(this, values);
  };
}

let installed = false;

function replace(name: string, wrapped: Combinator): void {
  Object.defineProperty(wrapped, "name", { value: name });
  Object.defineProperty(Promise, name, {
    configurable: true,
    writable: true,
    enumerable: false,
    value: wrapped,
  });
}

/** Wraps Promise.all, allSettled, any and race in this thread. */
export function countCombinators(): void {
  if (installed) return;
  installed = true;
  const promise = Promise as unknown as Record<string, Combinator | undefined>;
  const all = promise["all"];
  const race = promise["race"];
  for (const name of ["all", "allSettled", "any"]) {
    const original = promise[name];
    if (original !== undefined) replace(name, counted(original, name));
  }
  if (all === undefined || race === undefined) return;
  const hooks = {
    begin: (): void => void live++,
    end: (): void => void live--,
  };
  replace("race", raceAsBranches(all, race, hooks));
}
