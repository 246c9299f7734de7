// The Threads and Locks views' model: states per thread, lock hold and wait intervals, lock
// statistics, owners and waiters, the wait-for graph with its cycle, and snapshots.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { EventKind, MetaRecord, TraceEvent } from "../../../src/protocol/events.ts";
import { analyzeTrace } from "../../../src/analysis/analyze.ts";
import { TraceModel } from "../../../src/extension/traceModel.ts";
import {
  INTERVAL_HOLD,
  INTERVAL_WAIT,
  NONE,
  stateCode,
  type ThreadsSnapshot,
} from "../../../src/extension/webviewMessages.ts";

const CWD = "/proj";
const LOCK_A = 10;
const LOCK_B = 11;
const SLEEP_WORD = 12;

const META: MetaRecord[] = [
  { type: "thread", ident: 1, name: "main", kind: "main", parent: 0, daemon: false },
  { type: "thread", ident: 2, name: "worker-1", kind: "worker", parent: 1, daemon: false },
  { type: "thread", ident: 3, name: "worker-2", kind: "worker", parent: 1, daemon: false },
  { type: "site", id: 1, frames: [{ file: "app.ts", line: 10, column: 3, function: "doA" }] },
  { type: "site", id: 2, frames: [{ file: "app.ts", line: 12, column: 3, function: "doA" }] },
  { type: "site", id: 3, frames: [{ file: "app.ts", line: 20, column: 3, function: "doB" }] },
  { type: "site", id: 4, frames: [{ file: "app.ts", line: 18, column: 3, function: "doB" }] },
  { type: "site", id: 5, frames: [{ file: "app.ts", line: 26, column: 17, function: "" }] },
  { type: "object", id: LOCK_A, kind: "Lock", name: "lockA", site: 5, capacity: 0 },
  { type: "object", id: LOCK_B, kind: "Lock", name: "lockB", site: 0, capacity: 0 },
  { type: "object", id: SLEEP_WORD, kind: "Atomics", name: "sleep", site: 0, capacity: 0 },
];

function ev(
  time: number,
  thread: number,
  kind: EventKind,
  object = 0,
  site = 0,
  flag = false,
): TraceEvent {
  return { kind, thread, object, site, time, flag };
}

function model(events: TraceEvent[]): TraceModel {
  const m = new TraceModel("test", CWD);
  m.addMeta(META);
  m.addEvents(events);
  return m;
}

/** S1's cycle: worker-1 holds lockA and waits for lockB, worker-2 the other way round. */
const DEADLOCK = [
  ev(0, 2, "thread-start", 1),
  ev(0, 3, "thread-start", 1),
  ev(100, 2, "acquired", LOCK_A, 1),
  ev(150, 3, "acquired", LOCK_B, 4),
  ev(200, 2, "acquire-request", LOCK_B, 2),
  ev(250, 3, "acquire-request", LOCK_A, 3),
];

/** worker-1 and worker-2 take turns on lockA; worker-1 waits 100 µs once. */
const TURNS = [
  ev(0, 2, "thread-start", 1),
  ev(0, 3, "thread-start", 1),
  ev(0, 2, "acquired", LOCK_A, 1),
  ev(100, 2, "release", LOCK_A),
  ev(150, 3, "acquired", LOCK_A, 4),
  ev(200, 2, "acquire-request", LOCK_A, 2),
  ev(300, 3, "release", LOCK_A),
  ev(300, 2, "acquired", LOCK_A, 2),
  ev(350, 2, "release", LOCK_A),
  ev(400, 2, "wait-begin", SLEEP_WORD, 3, true),
  ev(450, 2, "wait-end", SLEEP_WORD, 3, true),
  ev(500, 2, "thread-exit"),
];

function lane(snapshot: ThreadsSnapshot, name: string) {
  const found = snapshot.lanes.find((l) => l.name === name);
  assert.ok(found, `no lane ${name}`);
  return found;
}

const FULL = { start: 0, end: undefined, width: 1000 };

describe("TraceModel", () => {
  test("wait-for edges of a deadlock: both threads, their locks and sites, the cycle marked", () => {
    assert.deepEqual(model(DEADLOCK).waitForEdges(), [
      {
        from: 2,
        to: 3,
        lock: "lockB",
        inCycle: true,
        site: { file: "/proj/app.ts", line: 12, column: 3 },
      },
      {
        from: 3,
        to: 2,
        lock: "lockA",
        inCycle: true,
        site: { file: "/proj/app.ts", line: 20, column: 3 },
      },
    ]);
  });

  test("a thread waiting on a lock whose owner runs is an edge outside any cycle", () => {
    const edges = model(DEADLOCK.slice(0, 5)).waitForEdges();
    assert.deepEqual(
      edges.map((e) => [e.from, e.to, e.lock, e.inCycle]),
      [[2, 3, "lockB", false]],
    );
  });

  test("lock summaries: the analysis' holders, waiters and figures, creation site", () => {
    assert.deepEqual(model(DEADLOCK).locks(), [
      {
        id: LOCK_A,
        lock: "lockA",
        kind: "Lock",
        acquisitions: 1,
        contended: 0,
        contention: 0,
        holdP50: 0,
        holdP99: 0,
        // Still held: counted up to the last event (250 - 100).
        holdMax: 150,
        waitTotal: 0,
        waitMax: 0,
        holders: ["worker-1"],
        waiters: ["worker-2"],
        created: { file: "/proj/app.ts", line: 26, column: 17 },
      },
      {
        id: LOCK_B,
        lock: "lockB",
        kind: "Lock",
        acquisitions: 1,
        contended: 0,
        contention: 0,
        holdP50: 0,
        holdP99: 0,
        holdMax: 100,
        waitTotal: 50,
        waitMax: 50,
        holders: ["worker-2"],
        waiters: ["worker-1"],
      },
    ]);
  });

  test("lock statistics: contention, hold p50/p99/max over the ended holds, wait time", () => {
    const [lockA] = model(TURNS).locks();
    assert.equal(lockA?.acquisitions, 3);
    assert.equal(lockA?.contended, 1);
    assert.equal(lockA?.contention, 1 / 3);
    // Holds of 100 (worker-1), 150 (worker-2) and 50 (worker-1) µs.
    assert.deepEqual([lockA?.holdP50, lockA?.holdP99, lockA?.holdMax], [100, 150, 150]);
    assert.deepEqual([lockA?.waitTotal, lockA?.waitMax], [100, 100]);
    assert.deepEqual(lockA?.holders, []);
    assert.deepEqual(lockA?.waiters, []);
  });

  test("the cycle is the analysis' own: the deadlock finding's threads are the marked lanes", () => {
    const m = model(DEADLOCK);
    const [finding] = analyzeTrace({ meta: META, events: DEADLOCK }, { cwd: CWD });
    assert.equal(finding?.kind, "deadlock");
    const snapshot = m.snapshot("", FULL);
    const marked = snapshot.lanes.filter((l) => l.inCycle).map((l) => l.name);
    assert.deepEqual(marked.sort(), [...(finding?.threads ?? [])].sort());
    assert.deepEqual(
      snapshot.lanes.map((l) => [l.name, l.reason]),
      [
        // main never ran an event of this trace: not live, no reason.
        ["main", ""],
        ["worker-1", "deadlocked on lockB"],
        ["worker-2", "deadlocked on lockA"],
      ],
    );
    // Opened on the deadlock: from worker-1's first hold (100), a tenth before, to the end.
    assert.deepEqual(snapshot.focus, { start: 85, end: 253 });
  });

  test("a timed wait is no wait-for edge (it ends by itself), as in the analysis", () => {
    const timed = [...DEADLOCK.slice(0, 5), ev(250, 3, "acquire-request", LOCK_A, 3, true)];
    const m = model(timed);
    assert.deepEqual(
      m.waitForEdges().map((e) => [e.from, e.to, e.inCycle]),
      [[2, 3, false]],
    );
    const kinds = analyzeTrace({ meta: META, events: timed }, { cwd: CWD }).map((f) => f.kind);
    assert.ok(!kinds.includes("deadlock"), kinds.join());
  });

  test("a join's edge points at the joined thread and is labelled join, not with its name", () => {
    const joining = [ev(0, 2, "thread-start", 1), ev(10, 1, "join-begin", 2, 5)];
    assert.deepEqual(
      model(joining)
        .waitForEdges()
        .map((e) => [e.from, e.to, e.lock, e.inCycle]),
      [[1, 2, "join", false]],
    );
  });

  test("no deadlock: the view opens on the most contended span", () => {
    const snapshot = model(TURNS).snapshot("", FULL);
    const focus = snapshot.focus;
    assert.ok(focus !== undefined);
    // worker-1 waited from 200 to 300: the focus covers it.
    assert.ok(focus.start <= 200 && focus.end >= 300, JSON.stringify(focus));
    assert.ok(focus.end - focus.start < 500, "narrower than the whole run");
  });

  test("segments per state: running, blocked on the lock, sleeping, exited", () => {
    const snapshot = model(TURNS).snapshot("done", FULL);
    const worker = lane(snapshot, "worker-1");
    const lockA = snapshot.names.indexOf("lockA");
    const sleep = snapshot.names.indexOf("sleep");
    assert.deepEqual(worker.segments.start, [0, 200, 300, 400, 450, 500]);
    assert.deepEqual(
      worker.segments.state,
      ["running", "blocked", "running", "sleeping", "running", "exited"].map((s) =>
        stateCode(s as "running"),
      ),
    );
    assert.deepEqual(worker.segments.object, [NONE, lockA, NONE, sleep, NONE, NONE]);
    assert.deepEqual(
      worker.segments.site.map((i) => (i === NONE ? undefined : snapshot.sites[i]?.line)),
      [undefined, 12, 12, 20, 20, undefined],
    );
    assert.equal(worker.until, 500);
  });

  test("a wait without a timeout on a condition-like object is waiting, not sleeping", () => {
    const snapshot = model([
      ev(0, 2, "thread-start"),
      ev(10, 2, "wait-begin", SLEEP_WORD),
    ]).snapshot("", FULL);
    assert.deepEqual(lane(snapshot, "worker-1").segments.state, [
      stateCode("running"),
      stateCode("waiting"),
    ]);
  });

  test("hold and wait intervals per thread, with lock names and sites", () => {
    const snapshot = model(TURNS).snapshot("done", FULL);
    const lockA = snapshot.names.indexOf("lockA");
    const line = (i: number) => (i === NONE ? undefined : snapshot.sites[i]?.line);
    const w1 = lane(snapshot, "worker-1").intervals;
    assert.deepEqual(w1.kind, [INTERVAL_HOLD, INTERVAL_WAIT, INTERVAL_HOLD]);
    assert.deepEqual(w1.lock, [lockA, lockA, lockA]);
    assert.deepEqual(w1.start, [0, 200, 300]);
    assert.deepEqual(w1.end, [100, 300, 350]);
    assert.deepEqual(w1.site.map(line), [10, 12, 12]);
    const w2 = lane(snapshot, "worker-2").intervals;
    assert.deepEqual([w2.kind, w2.start, w2.end], [[INTERVAL_HOLD], [150], [300]]);
  });

  test("a deadlock's intervals stay open: holds and waits that have not ended", () => {
    const snapshot = model(DEADLOCK).snapshot("stopped", FULL);
    const w1 = lane(snapshot, "worker-1").intervals;
    assert.deepEqual(w1.kind, [INTERVAL_HOLD, INTERVAL_WAIT]);
    assert.deepEqual(w1.end, [NONE, NONE]);
    assert.equal(snapshot.now, 250);
    assert.equal(snapshot.edges.length, 2);
  });

  test("a timed-out acquisition ends the wait and leaves no waiter", () => {
    const m = model([
      ev(0, 3, "acquired", LOCK_A, 4),
      ev(10, 2, "acquire-request", LOCK_A, 2, true),
      ev(60, 2, "acquire-timeout", LOCK_A),
    ]);
    const w1 = lane(m.snapshot("", FULL), "worker-1");
    assert.deepEqual([w1.intervals.kind, w1.intervals.start, w1.intervals.end], [[1], [10], [60]]);
    assert.deepEqual(m.locks()[0]?.waiters, []);
    assert.deepEqual(m.waitForEdges(), []);
  });

  test("an RLock re-entered holds once, until its outermost release", () => {
    const m = new TraceModel("t", CWD);
    m.addMeta([{ type: "object", id: 20, kind: "RLock", name: "r", site: 0, capacity: 0 }]);
    m.addEvents([
      ev(0, 2, "acquired", 20),
      ev(10, 2, "acquired", 20),
      ev(20, 2, "release", 20),
      ev(40, 2, "release", 20),
    ]);
    const [r] = m.locks();
    assert.deepEqual([r?.acquisitions, r?.holdP50, r?.holdMax], [2, 40, 40]);
    const iv = m.snapshot("", FULL).lanes[0]?.intervals;
    assert.deepEqual([iv?.start, iv?.end], [[0], [40]]);
  });
});
