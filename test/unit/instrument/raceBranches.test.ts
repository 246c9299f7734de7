// The preload's Promise.race (instrument/raceBranches.ts): the same outcomes as the engine's
// race, and branches whose async stack V8 writes with the frames branchPath.ts reads.
import { test } from "node:test";
import assert from "node:assert/strict";
import vm from "node:vm";
import { raceAsBranches } from "../../../src/runtime/instrument/raceBranches.ts";
import { branchName, branchPathOf } from "../../../src/runtime/instrument/branchPath.ts";

type Race = (this: PromiseConstructor, values: Iterable<unknown>) => Promise<unknown>;

/** A realm no preload has touched: the engine's own Promise, race and all. */
const Engine = vm.runInNewContext("Promise") as PromiseConstructor;
const nativeAll = Engine.all as Race;

function made(): { race: Race; calls: string[] } {
  const calls: string[] = [];
  const race = raceAsBranches(nativeAll.bind(Promise) as Race, Promise.race as Race, {
    begin: () => void calls.push("begin"),
    end: () => void calls.push("end"),
  });
  return { race, calls };
}

interface Deferred {
  readonly promise: Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

function deferred(P: PromiseConstructor = Promise): Deferred {
  let resolve: (value: unknown) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new P<unknown>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

type Outcome = ["fulfilled", unknown] | ["rejected", unknown] | ["pending"];

/** The outcome of `p` once every microtask queued so far (and theirs) has run. */
async function outcomeOf(p: Promise<unknown>): Promise<Outcome> {
  let outcome: Outcome = ["pending"];
  p.then(
    (value) => (outcome = ["fulfilled", value]),
    (error: unknown) => (outcome = ["rejected", error]),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return outcome;
}

type Scenario = (
  race: (values: Iterable<unknown>) => Promise<unknown>,
  P: PromiseConstructor,
) => Promise<unknown>;

/**
 * Runs `scenario` with the preload's race and with the engine's (each with its realm's
 * promises, so that neither adopts foreign ones); both outcomes must agree.
 */
async function agree(scenario: Scenario): Promise<Outcome> {
  const { race } = made();
  const ours = await outcomeOf(scenario((values) => race.call(Promise, values), Promise));
  const engine = await outcomeOf(scenario((values) => Engine.race(values), Engine));
  assert.deepEqual(ours, engine);
  return ours;
}

test("the first input to settle wins, whichever its index, with its value or its very error", async () => {
  const boom = new Error("boom");
  const outcomes = [
    await agree((race, P) => {
      const [a, b] = [deferred(P), deferred(P)];
      const raced = race([a.promise, b.promise]);
      b.resolve("b");
      a.resolve("a");
      return raced;
    }),
    await agree((race, P) => {
      const [a, b] = [deferred(P), deferred(P)];
      const raced = race([a.promise, b.promise]);
      a.reject(boom);
      b.resolve("b");
      return raced;
    }),
    await agree((race, P) => race([P.resolve(1), P.resolve(2)])),
    await agree((race, P) => race([P.reject(boom), P.resolve(2)])),
  ];
  assert.deepEqual(outcomes, [
    ["fulfilled", "b"],
    ["rejected", boom],
    ["fulfilled", 1],
    ["rejected", boom],
  ]);
  assert.equal(outcomes[1]?.[1], boom);
});

test("non-promise values and thenables are inputs like promises", async () => {
  const forever = (P: PromiseConstructor): Promise<unknown> => new P(() => undefined);
  assert.deepEqual(await agree((race, P) => race([forever(P), 2])), ["fulfilled", 2]);
  assert.deepEqual(await agree((race, P) => race([3, P.resolve(4)])), ["fulfilled", 3]);
  const thenable = { then: (resolve: (v: unknown) => void): void => resolve(5) };
  assert.deepEqual(await agree((race, P) => race([forever(P), thenable])), ["fulfilled", 5]);
});

test("any iterable is accepted; an empty one stays pending for good; a non-iterable rejects", async () => {
  function* generated(P: PromiseConstructor): Generator<unknown> {
    yield new P(() => undefined);
    yield "from a generator";
  }
  assert.deepEqual(await agree((race, P) => race(generated(P))), ["fulfilled", "from a generator"]);
  assert.deepEqual(await agree((race, P) => race(new Set([P.resolve("set")]))), [
    "fulfilled",
    "set",
  ]);
  assert.deepEqual(await agree((race) => race("ab")), ["fulfilled", "a"]);
  assert.deepEqual(await agree((race) => race([])), ["pending"]);
  assert.deepEqual(await agree((race) => race(new Map())), ["pending"]);
  const { race } = made();
  const notIterable = await outcomeOf(race.call(Promise, 42 as unknown as Iterable<unknown>));
  assert.equal(notIterable[0], "rejected");
  assert.ok(notIterable[1] instanceof TypeError);
  const engineError = await outcomeOf(Engine.race(42 as unknown as Iterable<unknown>));
  assert.equal((notIterable[1] as Error).message, (engineError[1] as Error).message);
  const broken = new Error("iterator broke");
  function* breaking(P: PromiseConstructor): Generator<unknown> {
    yield new P(() => undefined);
    throw broken;
  }
  assert.deepEqual(await agree((race, P) => race(breaking(P))), ["rejected", broken]);
});

test("the losers' later rejections are handled; the race is counted from its call to its settlement", async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  try {
    const { race, calls } = made();
    const [a, b] = [deferred(), deferred()];
    const raced = race.call(Promise, [a.promise, b.promise]);
    assert.deepEqual(calls, ["begin"]);
    a.resolve("a");
    assert.deepEqual(await outcomeOf(raced), ["fulfilled", "a"]);
    assert.deepEqual(calls, ["begin", "end"]);
    b.reject(new Error("late"));
    await outcomeOf(b.promise.catch(() => undefined));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled, []);
    // An empty race is the original's: never counted, since no branch can run.
    void race.call(Promise, []);
    assert.deepEqual(calls, ["begin", "end"]);
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
});

test("a subclass's race is the original, returning the subclass's promise", async () => {
  class Tagged<T> extends Promise<T> {}
  const { race, calls } = made();
  const raced = race.call(Tagged as unknown as PromiseConstructor, [Promise.resolve(7)]);
  assert.ok(raced instanceof Tagged);
  assert.deepEqual(await outcomeOf(raced), ["fulfilled", 7]);
  assert.deepEqual(calls, []);
});

test("V8 writes each branch's async stack through `Promise.all (index i)` and the race's frame", async () => {
  const { race } = made();
  const stacks: string[] = [];
  async function probe(): Promise<void> {
    // A reaction whose derived promise the branch awaits, as an instrumented operation's.
    await Promise.resolve().then(() => void stacks.push(new Error().stack ?? ""));
  }
  async function branch(tag: string): Promise<string> {
    await probe();
    return tag;
  }
  const awaitedAt = new Error().stack?.split("\n")[1]?.match(/:(\d+):\d+\)?$/)?.[1];
  const first = await race.call(Promise, [branch("zero"), branch("one")]);
  assert.equal(first, "zero");
  assert.equal(stacks.length, 2);
  const paths = stacks.map((stack) => branchPathOf(stack));
  assert.deepEqual(
    paths.map((p) => [p?.combinator, p?.index]),
    [
      ["race", 0],
      ["race", 1],
    ],
  );
  assert.notEqual(paths[0]?.key, paths[1]?.key);
  const line = Number(awaitedAt) + 1;
  assert.equal(
    branchName("main", paths[1] ?? assert.fail("no branch")),
    `main/Promise.race[1]@raceBranches.test.ts:${line}`,
  );
});
