// Promise.race as an all over its inputs (DESIGN 3.1), so that its branches are told apart.
//
// V8 writes an async frame `Promise.all (index i)` for the branches of all/allSettled/any but
// none for race. So the preload's race hands each input to an async function of its own that
// awaits it and then rejects with the input's outcome, and awaits the original Promise.all of
// those: every branch's await chain now passes through `threadlensRaceBranch` and
// `Promise.all (index i)` and then `threadlensRace`, which branchPath.ts reads as
// `Promise.race[i]`. Promise.all rejects at its first rejection, that is at the first input to
// settle, with that input's outcome, which threadlensRace unwraps: the same value or rejection
// as the original race, in the same order of settlement (every input takes the same number of
// extra microtask steps). Non-promise values and thenables are awaited as race resolves them;
// an empty iterable, a non-iterable argument or a subclass (`MyPromise.race`) go to the
// original race (forever pending, a rejected TypeError, the subclass's promise). The inputs'
// later settlements are handled by the all, so none becomes an unhandled rejection.

/** An input's settlement, carried as the rejection of its branch. */
class Outcome {
  constructor(
    readonly fulfilled: boolean,
    readonly value: unknown,
  ) {}
}

type All = (this: PromiseConstructor, values: Iterable<unknown>) => Promise<unknown>;
type Race = (this: PromiseConstructor, values: Iterable<unknown>) => Promise<unknown>;

/** Hooks around one race call: `begin` when it starts, `end` when it settles. */
export interface RaceHooks {
  begin(): void;
  end(): void;
}

/** A Promise.race with the same results as `race` whose branches have combinator frames. */
export function raceAsBranches(all: All, race: Race, hooks: RaceHooks): Race {
  // Named methods: the frames' names survive bundling (branchPath.ts reads them).
  const parts = {
    async threadlensRaceBranch(value: unknown): Promise<never> {
      let outcome: Outcome;
      try {
        outcome = new Outcome(true, await value);
      } catch (error) {
        outcome = new Outcome(false, error);
      }
      throw outcome;
    },
    async threadlensRace(this: PromiseConstructor, branches: Promise<never>[]): Promise<unknown> {
      hooks.begin();
      try {
        await all.call(this, branches);
      } catch (first) {
        if (!(first instanceof Outcome)) throw first;
        if (first.fulfilled) return first.value;
        throw first.value;
      } finally {
        hooks.end();
      }
      // Unreachable: every branch rejects, so the all does.
      throw new Error("threadlens: Promise.race settled without an outcome");
    },
  };
  const { threadlensRaceBranch, threadlensRace } = parts;
  return function (this: PromiseConstructor, values: Iterable<unknown>): Promise<unknown> {
    if (this !== Promise || !isIterable(values)) return race.call(this, values);
    const branches: Promise<never>[] = [];
    try {
      for (const value of values) branches.push(threadlensRaceBranch(value));
    } catch (error) {
      // As race: an iterator that throws rejects the result (the inputs read so far are
      // still awaited, and handled, as race's own reactions would be).
      void all.call(Promise, branches).catch(() => undefined);
      return Promise.reject(error);
    }
    if (branches.length === 0) return race.call(this, branches);
    return threadlensRace.call(this, branches);
  };
}

function isIterable(values: unknown): values is Iterable<unknown> {
  return (
    values !== null &&
    values !== undefined &&
    typeof (values as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function"
  );
}
