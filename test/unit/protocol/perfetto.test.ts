// Trace → Chrome trace event JSON: exact slices, flows and instants for a small two-thread trace,
// and the invariants every output must keep (strict nesting per track, paired flows).
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { toPerfetto, type ChromeTraceEvent } from "../../../src/protocol/perfetto.ts";
import type { MetaRecord, Trace, TraceEvent } from "../../../src/protocol/events.ts";
import { traceArb } from "./arbitraries.ts";

function ev(
  time: number,
  thread: number,
  kind: TraceEvent["kind"],
  object: number,
  extra: Partial<TraceEvent> = {},
): TraceEvent {
  return { kind, thread, object, site: 0, time, flag: false, ...extra };
}

const META: MetaRecord[] = [
  { type: "thread", ident: 1, name: "main", kind: "main", parent: 0, daemon: false },
  { type: "thread", ident: 2, name: "w", kind: "worker", parent: 1, daemon: false },
  { type: "object", id: 5, kind: "Lock", name: "lockA", site: 0, capacity: 0 },
  { type: "object", id: 6, kind: "Lock", name: "lockB", site: 0, capacity: 0 },
  { type: "object", id: 7, kind: "Condition", name: "cond", site: 0, capacity: 0 },
  { type: "object", id: 8, kind: "Event", name: "ev", site: 0, capacity: 0 },
];

/** Dense traces: few threads and locks, so slices overlap, cross and hand off a lot. */
const lockyTraceArb: fc.Arbitrary<Trace> = fc
  .array(
    fc.record({
      time: fc.nat(50),
      thread: fc.integer({ min: 1, max: 3 }),
      kind: fc.constantFrom<TraceEvent["kind"]>(
        "acquire-request",
        "acquired",
        "acquired",
        "release",
        "release",
        "acquire-timeout",
        "wait-begin",
        "wait-end",
        "join-begin",
        "join-end",
      ),
      object: fc.integer({ min: 1, max: 3 }),
    }),
    { maxLength: 40 },
  )
  .map((es) => ({ meta: [], events: es.map((e) => ev(e.time, e.thread, e.kind, e.object)) }));

const nonMeta = (out: { traceEvents: ChromeTraceEvent[] }): ChromeTraceEvent[] =>
  out.traceEvents.filter((e) => e.ph !== "M");

describe("toPerfetto", () => {
  test("a two-thread hand-off: exact slices, flow, instants, and thread tracks", () => {
    // Per-thread order, as the recorder delivers it: main's events, then w's.
    const trace: Trace = {
      meta: META,
      events: [
        ev(1000, 1, "acquired", 5),
        ev(2000, 1, "acquired", 6),
        ev(2500, 1, "release", 5), // not LIFO: lockB's slice crosses lockA's end
        ev(3000, 1, "release", 6),
        ev(3200, 1, "notify", 7),
        ev(3300, 1, "join-begin", 2, { flag: true }),
        ev(5000, 1, "join-end", 2, { flag: true }),
        ev(1500, 2, "acquire-request", 5),
        ev(2500, 2, "acquired", 5),
        ev(4000, 2, "release", 5),
        ev(4100, 2, "set", 8),
        ev(4200, 2, "bad-release", 6),
        ev(4500, 2, "wait-begin", 7, { reason: "wait" }), // never ends
      ],
    };
    const out = toPerfetto(trace);
    assert.equal(out.displayTimeUnit, "ms");
    const X = { ph: "X", pid: 1 } as const;
    assert.deepEqual(out.traceEvents, [
      { name: "process_name", ph: "M", pid: 1, tid: 0, args: { name: "threadlens" } },
      { name: "thread_name", ph: "M", pid: 1, tid: 1, args: { name: "main" } },
      { name: "thread_sort_index", ph: "M", pid: 1, tid: 1, args: { sort_index: 1 } },
      { name: "thread_name", ph: "M", pid: 1, tid: 2, args: { name: "w" } },
      { name: "thread_sort_index", ph: "M", pid: 1, tid: 2, args: { sort_index: 2 } },
      // main
      { ...X, name: "hold lockA", cat: "lock", tid: 1, ts: 1000, dur: 1500, args: { object: 5 } },
      { name: "handoff lockA", cat: "lock", ph: "s", id: 1, pid: 1, tid: 1, ts: 1000 },
      { ...X, name: "hold lockB", cat: "lock", tid: 1, ts: 2000, dur: 500, args: { object: 6 } },
      {
        ...X,
        name: "hold lockB",
        cat: "lock",
        tid: 1,
        ts: 2500,
        dur: 500,
        args: { object: 6, continued: true },
      },
      {
        ...X,
        name: "join w",
        cat: "join",
        tid: 1,
        ts: 3300,
        dur: 1700,
        args: { thread: 2, ended: true },
      },
      // w
      { ...X, name: "wait lockA", cat: "wait", tid: 2, ts: 1500, dur: 1000, args: { object: 5 } },
      { ...X, name: "hold lockA", cat: "lock", tid: 2, ts: 2500, dur: 1500, args: { object: 5 } },
      { name: "handoff lockA", cat: "lock", ph: "f", bp: "e", id: 1, pid: 1, tid: 2, ts: 2500 },
      {
        ...X,
        name: "wait cond",
        cat: "wait",
        tid: 2,
        ts: 4500,
        dur: 500,
        args: { object: 7, reason: "wait", unfinished: true },
      },
      // instants
      {
        name: "notify cond",
        cat: "sync",
        ph: "i",
        s: "t",
        pid: 1,
        tid: 1,
        ts: 3200,
        args: { object: 7 },
      },
      {
        name: "set ev",
        cat: "sync",
        ph: "i",
        s: "t",
        pid: 1,
        tid: 2,
        ts: 4100,
        args: { object: 8 },
      },
      {
        name: "bad-release lockB",
        cat: "misuse",
        ph: "i",
        s: "t",
        pid: 1,
        tid: 2,
        ts: 4200,
        args: { object: 6 },
      },
    ]);
    assert.deepEqual(JSON.parse(JSON.stringify(out)), out);
  });

  test("a terminate is an instant on the caller's track, named by the worker it ends", () => {
    const trace: Trace = { meta: META, events: [ev(70, 1, "terminate", 2)] };
    assert.deepEqual(nonMeta(toPerfetto(trace)), [
      {
        name: "terminate w",
        cat: "sync",
        ph: "i",
        s: "t",
        pid: 1,
        tid: 1,
        ts: 70,
        args: { thread: 2 },
      },
    ]);
  });

  test("RLock re-entry is one slice; a lock re-taken by its own thread draws no arrow", () => {
    const trace: Trace = {
      meta: META,
      events: [
        ev(10, 1, "acquired", 5),
        ev(20, 1, "acquired", 5),
        ev(30, 1, "release", 5),
        ev(40, 1, "release", 5),
        ev(50, 1, "acquired", 5),
        ev(60, 1, "release", 5),
      ],
    };
    assert.deepEqual(nonMeta(toPerfetto(trace)), [
      {
        name: "hold lockA",
        cat: "lock",
        ph: "X",
        pid: 1,
        tid: 1,
        ts: 10,
        dur: 30,
        args: { object: 5 },
      },
      {
        name: "hold lockA",
        cat: "lock",
        ph: "X",
        pid: 1,
        tid: 1,
        ts: 50,
        dur: 10,
        args: { object: 5 },
      },
    ]);
  });

  test("timeouts, unknown names, and a hold still open at the end of the trace", () => {
    const trace: Trace = {
      meta: [],
      events: [
        ev(100, 3, "acquired", 9),
        ev(200, 4, "acquire-request", 9, { flag: true }),
        ev(700, 4, "acquire-timeout", 9),
        ev(800, 4, "wait-begin", 11, { flag: true, reason: "get" }),
        ev(900, 4, "wait-end", 11),
      ],
    };
    const out = toPerfetto(trace);
    assert.deepEqual(
      out.traceEvents.filter((e) => e.name === "thread_name").map((e) => e.args?.["name"]),
      ["thread 3", "thread 4"],
    );
    assert.deepEqual(nonMeta(out), [
      {
        name: "hold #9",
        cat: "lock",
        ph: "X",
        pid: 1,
        tid: 3,
        ts: 100,
        dur: 800,
        args: { object: 9, unfinished: true },
      },
      {
        name: "wait #9",
        cat: "wait",
        ph: "X",
        pid: 1,
        tid: 4,
        ts: 200,
        dur: 500,
        args: { object: 9, timedOut: true },
      },
      {
        name: "wait #11",
        cat: "wait",
        ph: "X",
        pid: 1,
        tid: 4,
        ts: 800,
        dur: 100,
        args: { object: 11, reason: "get", woken: false },
      },
    ]);
  });

  test("an empty trace is a valid file with only the process name", () => {
    assert.deepEqual(toPerfetto({ meta: [], events: [] }), {
      traceEvents: [
        { name: "process_name", ph: "M", pid: 1, tid: 0, args: { name: "threadlens" } },
      ],
      displayTimeUnit: "ms",
    });
  });

  test("any trace: slices nest strictly per track, flows pair up forwards in time (property)", () => {
    fc.assert(
      fc.property(fc.oneof(traceArb, lockyTraceArb), (trace) => {
        const out = toPerfetto(trace).traceEvents;
        const byTid = new Map<number, ChromeTraceEvent[]>();
        for (const e of out.filter((x) => x.ph === "X")) {
          assert.ok(e.dur !== undefined && e.dur >= 0 && e.ts !== undefined);
          byTid.set(e.tid, [...(byTid.get(e.tid) ?? []), e]);
        }
        for (const slices of byTid.values()) {
          const ends: number[] = [];
          for (const s of slices) {
            const end = s.ts! + s.dur!;
            while (ends.length > 0 && ends[ends.length - 1]! <= s.ts!) ends.pop();
            if (ends.length > 0) assert.ok(end <= ends[ends.length - 1]!, "crossing slices");
            ends.push(end);
          }
        }
        const starts = out.filter((e) => e.ph === "s");
        const finishes = out.filter((e) => e.ph === "f");
        assert.equal(starts.length, finishes.length);
        for (const s of starts) {
          const f = finishes.filter((x) => x.id === s.id);
          assert.equal(f.length, 1);
          assert.ok(f[0]!.ts! >= s.ts! && f[0]!.tid !== s.tid && f[0]!.name === s.name);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
