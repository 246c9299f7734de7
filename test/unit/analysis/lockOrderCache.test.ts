// The lock-order graph skips acquisitions it has recorded already (keyed on the interned held
// set, RunState.heldSets). On random event streams — nested and non-nested takes, requests,
// timeouts, RLock re-entry, semaphores, releases by other threads and out of order, thread
// starts and joins, object records arriving late — it must hold the same edge instances as the
// plain computation for every acquisition, and each thread's held set must stay the interned
// form of what it holds.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Dictionary, isLockLikeKind } from "../../../src/analysis/dictionary.ts";
import { HappensBefore } from "../../../src/analysis/happensBefore.ts";
import { LockOrderGraph, type EdgeInstance } from "../../../src/analysis/lockOrderGraph.ts";
import { RunState } from "../../../src/analysis/runState.ts";
import type { EventKind, ObjectKind, TraceEvent } from "../../../src/protocol/events.ts";

const THREADS = [1, 2, 3, 4];
const OBJECTS = [10, 11, 12, 13, 14];
const KINDS: ObjectKind[] = ["Lock", "RLock", "Semaphore", "BoundedSemaphore"];

type Step =
  | { readonly type: "events"; readonly events: readonly TraceEvent[] }
  | { readonly type: "record"; readonly object: number; readonly kind: ObjectKind };

const eventArb = fc
  .record({
    kind: fc.constantFrom<EventKind>(
      "acquired",
      "release",
      "acquire-request",
      "acquire-timeout",
      "thread-start",
      "join-end",
    ),
    thread: fc.constantFrom(...THREADS),
    lock: fc.constantFrom(...OBJECTS),
    other: fc.constantFrom(...THREADS),
    site: fc.constantFrom(0, 100, 101),
    flag: fc.boolean(),
  })
  .map(({ kind, thread, lock, other, site, flag }): TraceEvent => {
    const onThread = kind === "thread-start" || kind === "join-end";
    return { kind, thread, object: onThread ? other : lock, site, time: 0, flag };
  });

/** A thread takes a few locks (some contended, some at no site) and releases them in any order. */
const sectionArb = fc
  .record({
    thread: fc.constantFrom(...THREADS),
    take: fc.shuffledSubarray(OBJECTS, { minLength: 1, maxLength: 3 }),
    contended: fc.boolean(),
    site: fc.constantFrom(0, 100),
    releaseSeed: fc.nat(),
  })
  .map(({ thread, take, contended, site, releaseSeed }): TraceEvent[] => {
    const at = (kind: EventKind, object: number, s = 0): TraceEvent => ({
      kind,
      thread,
      object,
      site: s,
      time: 0,
      flag: false,
    });
    const events = take.flatMap((lock) =>
      contended
        ? [at("acquire-request", lock, site), at("acquired", lock)]
        : [at("acquired", lock, site)],
    );
    const release = [...take];
    for (let i = release.length - 1; i > 0; i--) {
      const j = (releaseSeed + i) % (i + 1);
      [release[i], release[j]] = [release[j] as number, release[i] as number];
    }
    return [...events, ...release.map((lock) => at("release", lock))];
  });

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: sectionArb.map((events): Step => ({ type: "events", events })) },
  { weight: 4, arbitrary: eventArb.map((event): Step => ({ type: "events", events: [event] })) },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant("record" as const),
      object: fc.constantFrom(...OBJECTS),
      kind: fc.constantFrom(...KINDS),
    }),
  },
);

/** The edges of one acquisition, computed from scratch every time (what the cache must equal). */
function addEdgesPlainly(
  graph: LockOrderGraph,
  event: TraceEvent,
  state: RunState,
  clocks: HappensBefore,
): void {
  if (event.kind === "acquired" && state.pendingRequest(event.thread, event.object)) return;
  if (event.kind !== "acquired" && event.kind !== "acquire-request") return;
  const acquireSite = event.kind === "acquired" ? state.acquisitionSite(event) : event.site;
  if (!isLockLikeKind(state.dict.objectKind(event.object))) return;
  const thread = state.threads.get(event.thread);
  if (thread === undefined || thread.held.has(event.object)) return;
  const held = [...thread.held.values()].filter((h) =>
    isLockLikeKind(state.dict.objectKind(h.object)),
  );
  if (held.length === 0) return;
  const stamp = clocks.stampOf(event.thread);
  const ids = held.map((h) => h.object).sort((a, b) => a - b);
  for (const hold of held) {
    graph.add({
      from: hold.object,
      to: event.object,
      thread: event.thread,
      heldSite: hold.site,
      acquireSite,
      gates: ids.filter((id) => id !== hold.object),
      stamp,
    });
  }
}

function allInstances(graph: LockOrderGraph): EdgeInstance[] {
  const out: EdgeInstance[] = [];
  for (const from of [...graph.nodes()].sort((a, b) => a - b)) {
    for (const to of [...graph.successors(from)].sort((a, b) => a - b)) {
      out.push(...graph.instances(from, to));
    }
  }
  return out;
}

describe("lock-order graph: recorded acquisitions skipped", () => {
  test("same edge instances as computing every acquisition afresh", () => {
    fc.assert(
      fc.property(
        fc.array(stepArb, { minLength: 20, maxLength: 200, size: "max" }),
        fc.subarray(OBJECTS),
        fc.constantFrom(...KINDS),
        (steps, recordedFirst, firstKind) => {
          const dict = new Dictionary();
          for (const id of recordedFirst) {
            dict.add({ type: "object", id, kind: firstKind, name: `o${id}`, site: 0, capacity: 1 });
          }
          const state = new RunState(dict);
          const clocks = new HappensBefore();
          const cached = new LockOrderGraph(dict);
          const plain = new LockOrderGraph(dict);
          let time = 0;
          for (const step of steps) {
            if (step.type === "record") {
              const { object: id, kind } = step;
              dict.add({ type: "object", id, kind, name: `o${id}`, site: 0, capacity: 1 });
              continue;
            }
            for (const stepEvent of step.events) {
              const event = { ...stepEvent, time: ++time };
              clocks.observe(event);
              cached.observe(event, state, clocks);
              addEdgesPlainly(plain, event, state, clocks);
              state.apply(event);
              for (const thread of state.threads.values()) {
                const fresh = state.heldSets.of(thread.heldRoot, thread.held.values());
                assert.equal(thread.heldSet, fresh, `held set of thread ${thread.ident}`);
              }
            }
          }
          assert.deepEqual(allInstances(cached), allInstances(plain));
        },
      ),
      { numRuns: 400 },
    );
  });

  test("a repeated nesting is recorded once per thread, site pair and stamp", () => {
    const dict = new Dictionary();
    for (const id of [10, 11]) {
      dict.add({ type: "object", id, kind: "Lock", name: `o${id}`, site: 0, capacity: 0 });
    }
    const state = new RunState(dict);
    const clocks = new HappensBefore();
    const graph = new LockOrderGraph(dict);
    let time = 0;
    const apply = (kind: EventKind, object: number, site = 0): void => {
      const event: TraceEvent = { kind, thread: 2, object, site, time: ++time, flag: false };
      clocks.observe(event);
      graph.observe(event, state, clocks);
      state.apply(event);
    };
    for (let i = 0; i < 3; i++) {
      apply("acquired", 10, 100);
      apply("acquired", 11, i === 2 ? 101 : 100);
      apply("release", 11);
      apply("release", 10);
    }
    assert.deepEqual(
      graph.instances(10, 11).map((e) => [e.heldSite, e.acquireSite]),
      [
        [100, 100],
        [100, 101],
      ],
    );
  });
});
