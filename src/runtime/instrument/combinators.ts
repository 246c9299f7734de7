// Whether any Promise.all/allSettled/any branch can be running in this thread (DESIGN 3.1).
// A branch is only told apart by reading V8's async stack (branches.ts), one structured stack
// capture per operation: the largest part of an instrumented async-mutex acquisition. A
// branch's code runs only while its combinator still waits for it, so an operation that runs
// while no combinator call of this thread has an input left unsettled is not in any branch:
// its logical thread is the caller's own, known without a capture.
//
// The combinators are wrapped in this thread; a call counts as live from the call until each
// native promise among its inputs has settled (not merely until the combined promise does:
// Promise.all rejects at the first rejection and Promise.any fulfills at the first
// fulfillment while the other branches run on). Promise.race has no branch frames in V8
// (branches.ts), so it is not counted.

let live = 0;

/** True while a combinator call of this thread may have a branch still running. */
export function branchesMayRun(): boolean {
  return live > 0;
}

type Combinator = (this: PromiseConstructor, values: Iterable<unknown>) => Promise<unknown>;

function counted(original: Combinator): Combinator {
  return function (this: PromiseConstructor, values: Iterable<unknown>): Promise<unknown> {
    let items: unknown[];
    try {
      items = Array.from(values);
    } catch (error) {
      // What the combinator itself does with an iterable that throws.
      return original.call(this, {
        [Symbol.iterator]: () => {
          throw error;
        },
      });
    }
    let pending = 1;
    const settled = (): void => {
      if (--pending === 0) live--;
    };
    live++;
    for (const item of items) {
      // Only native promises carry branch frames; adding a reaction to one changes nothing
      // for the program (the combinator adds its own, so a rejection is handled either way).
      if (item instanceof Promise && item.constructor === Promise) {
        pending++;
        Promise.prototype.then.call(item, settled, settled);
      }
    }
    settled();
    return original.call(this, items);
  };
}

let installed = false;

/** Wraps Promise.all, allSettled and any in this thread. */
export function countCombinators(): void {
  if (installed) return;
  installed = true;
  const promise = Promise as unknown as Record<string, Combinator>;
  for (const name of ["all", "allSettled", "any"]) {
    const original = promise[name];
    if (original === undefined) continue;
    const wrapped = counted(original);
    Object.defineProperty(wrapped, "name", { value: name });
    Object.defineProperty(Promise, name, {
      configurable: true,
      writable: true,
      enumerable: false,
      value: wrapped,
    });
  }
}
