// Potential deadlocks from the lock-order graph: cycles of every length, the three filters
// (each removes its false positive and keeps the true one), and deduplication by site pair.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { analyzeTrace } from "../../../src/analysis/index.ts";
import {
  fromOneThread,
  guardedByGateLock,
  orderedByHappensBefore,
} from "../../../src/analysis/cycleFilters.ts";
import { findDeadlockCycles, type EdgeInstance } from "../../../src/analysis/lockOrderGraph.ts";
import type { Stamp } from "../../../src/analysis/happensBefore.ts";
import type { Finding } from "../../../src/protocol/report.ts";
import { CWD, TraceBuilder } from "./traceBuilder.ts";

function potentials(b: TraceBuilder): Finding[] {
  const findings = analyzeTrace(b.build(), { cwd: CWD });
  assert.ok(
    findings.every((f) => f.kind === "potential-deadlock"),
    JSON.stringify(findings.map((f) => f.kind)),
  );
  return findings;
}

/** `thread` takes `outer` (at outerLine) then `inner` (at innerLine), then releases both. */
function nested(
  b: TraceBuilder,
  thread: number,
  outer: number,
  inner: number,
  outerLine: number,
  innerLine: number,
): void {
  b.acquired(thread, outer, b.site(outerLine)).acquired(thread, inner, b.site(innerLine));
  b.release(thread, inner).release(thread, outer);
}

/** S11: worker-1 takes lockA→lockB, worker-2 later lockB→lockA; main joins both at the end. */
function s11(options: { gate?: boolean; sequential?: boolean; oneThread?: boolean } = {}) {
  const b = new TraceBuilder();
  const main = b.thread("main");
  const lockA = b.lock("lockA");
  const lockB = b.lock("lockB");
  const gate = b.lock("gate");
  const w1 = b.worker("worker-1", main);
  const inGate = (thread: number, body: () => void): void => {
    if (options.gate === true) b.acquired(thread, gate, b.site(5));
    body();
    if (options.gate === true) b.release(thread, gate);
  };
  inGate(w1, () => nested(b, w1, lockA, lockB, 10, 11));
  let w2 = w1;
  if (options.oneThread !== true) {
    if (options.sequential === true) b.exit(w1).join(main, w1);
    w2 = b.worker("worker-2", main);
  }
  inGate(w2, () => nested(b, w2, lockB, lockA, 20, 21));
  if (options.oneThread !== true) {
    b.exit(w2).join(main, w2);
    if (options.sequential !== true) b.exit(w1).join(main, w1);
  } else {
    b.exit(w1).join(main, w1);
  }
  return b;
}

describe("lock-order graph: potential deadlocks", () => {
  test("S11: both orders' sites and the threads", () => {
    const [finding, ...others] = potentials(s11());
    assert.equal(others.length, 0);
    assert.equal(
      finding?.message,
      "potential deadlock: lock-order inversion lockA → lockB → lockA: " +
        "worker-1 takes lockB while holding lockA (src/app.ts:11); " +
        "worker-2 takes lockA while holding lockB (src/app.ts:21)",
    );
    assert.deepEqual(finding?.locks, ["lockA", "lockB"]);
    assert.deepEqual(finding?.threads, ["worker-1", "worker-2"]);
    assert.deepEqual(
      finding?.sites.map((s) => [s.thread, s.role, s.line]),
      [
        ["worker-1", "held", 10],
        ["worker-1", "acquires", 11],
        ["worker-2", "held", 20],
        ["worker-2", "acquires", 21],
      ],
    );
  });

  for (let n = 2; n <= 6; n++) {
    test(`a lock-order cycle of length ${n} across ${n} threads`, () => {
      const b = new TraceBuilder();
      const main = b.thread("main");
      const locks = Array.from({ length: n }, (_, i) => b.lock(`L${i}`));
      const workers = locks.map((_, i) => b.worker(`w${i}`, main));
      workers.forEach((w, i) =>
        nested(b, w, locks[i] as number, locks[(i + 1) % n] as number, 10 + i, 20 + i),
      );
      workers.forEach((w) => b.exit(w).join(main, w));
      const found = potentials(b);
      assert.equal(found.length, 1);
      assert.deepEqual(
        found[0]?.locks,
        locks.map((_, i) => `L${i}`),
      );
      assert.deepEqual(
        found[0]?.threads,
        workers.map((_, i) => `w${i}`),
      );
      assert.equal(found[0]?.sites.length, 2 * n);
    });
  }

  test("filter: all edges from one thread removes the cycle; two threads keep it", () => {
    assert.deepEqual(potentials(s11({ oneThread: true })), []);
    assert.equal(potentials(s11()).length, 1);
  });

  test("filter: a common gate lock removes the cycle; without it the cycle stays", () => {
    assert.deepEqual(potentials(s11({ gate: true })), []);
    assert.equal(potentials(s11({ gate: false })).length, 1);
  });

  test("filter: thread start/join ordering removes the cycle; overlapping threads keep it", () => {
    assert.deepEqual(potentials(s11({ sequential: true })), []);
    assert.equal(potentials(s11({ sequential: false })).length, 1);
  });

  test("an order imposed by other synchronization (an event) is timing: still reported", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const [lockA, lockB] = [b.lock("lockA"), b.lock("lockB")];
    const done = b.object("Event", "done");
    const [w1, w2] = [b.worker("worker-1", main), b.worker("worker-2", main)];
    b.waitBegin(w2, done, "wait", b.site(3));
    nested(b, w1, lockA, lockB, 10, 11);
    b.event("set", w1, done).waitEnd(w2, done);
    nested(b, w2, lockB, lockA, 20, 21);
    for (const w of [w1, w2]) b.exit(w).join(main, w);
    assert.equal(potentials(b).length, 1);
  });

  /** Bank transfers between three accounts through one function, by six threads. */
  function transfers(withRefund: boolean): TraceBuilder {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const [a, bb, cc] = ["a", "b", "c"].map((n) => b.lock(n)) as [number, number, number];
    const transfer = (
      thread: number,
      from: number,
      to: number,
      fn = "transfer",
      line = 10,
    ): void => {
      b.acquired(thread, from, b.site(line, { fn }));
      b.acquired(thread, to, b.site(line + 1, { fn }));
      b.release(thread, to).release(thread, from);
    };
    const pairs: [number, number][] = [
      [a, bb],
      [bb, a],
      [bb, cc],
      [cc, bb],
      [a, bb],
      [bb, a],
    ];
    const workers = pairs.map((pair, i) => {
      const w = b.worker(`w${i}`, main);
      transfer(w, pair[0], pair[1]);
      return w;
    });
    if (withRefund) {
      const w = b.worker("other", main);
      transfer(w, cc, bb, "refund", 30);
      workers.push(w);
    }
    for (const w of workers) b.exit(w).join(main, w);
    return b;
  }

  test("dedupe by site pair: many threads and lock pairs through the same two lines", () => {
    const found = potentials(transfers(false));
    assert.equal(found.length, 1);
    assert.deepEqual(found[0]?.locks, ["a", "b"]);
  });

  test("dedupe by site pair: a second order at other lines is a second finding", () => {
    const found = potentials(transfers(true));
    assert.deepEqual(
      found.map((f) => [f.locks, f.sites.map((s) => s.line)]),
      [
        [
          ["a", "b"],
          [10, 11, 10, 11],
        ],
        [
          ["b", "c"],
          [10, 11, 30, 31],
        ],
      ],
    );
  });

  test("a request that timed out still shows its order", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const [lockA, lockB] = [b.lock("lockA"), b.lock("lockB")];
    const [w1, w2] = [b.worker("worker-1", main), b.worker("worker-2", main)];
    nested(b, w1, lockA, lockB, 10, 11);
    b.acquired(w2, lockB, b.site(20)).request(w2, lockA, b.site(21), true);
    b.event("acquire-timeout", w2, lockA).release(w2, lockB);
    for (const w of [w1, w2]) b.exit(w).join(main, w);
    assert.deepEqual(potentials(b)[0]?.locks, ["lockA", "lockB"]);
  });
});

describe("cycle filters as functions", () => {
  let nextStamp = 1;
  const stamp = (entries: [number, number][]): Stamp => ({
    id: nextStamp++,
    clock: new Map(entries),
  });
  const edge = (
    from: number,
    to: number,
    thread: number,
    gates: number[],
    clock: Stamp,
  ): EdgeInstance => ({
    from,
    to,
    thread,
    heldSite: 0,
    acquireSite: 0,
    gates,
    stamp: clock,
  });
  const concurrent1 = stamp([[1, 1]]);
  const concurrent2 = stamp([[2, 1]]);

  test("fromOneThread", () => {
    assert.equal(
      fromOneThread([edge(1, 2, 7, [], concurrent1), edge(2, 1, 7, [], concurrent1)]),
      true,
    );
    assert.equal(
      fromOneThread([edge(1, 2, 1, [], concurrent1), edge(2, 1, 2, [], concurrent2)]),
      false,
    );
  });

  test("guardedByGateLock", () => {
    assert.equal(
      guardedByGateLock([edge(1, 2, 1, [9], concurrent1), edge(2, 1, 2, [9], concurrent2)]),
      true,
    );
    assert.equal(
      guardedByGateLock([edge(1, 2, 1, [9], concurrent1), edge(2, 1, 2, [8], concurrent2)]),
      false,
    );
  });

  test("orderedByHappensBefore", () => {
    // Thread 2 was started after thread 1 was joined: it knows thread 1's tick.
    const after = stamp([
      [1, 1],
      [2, 1],
    ]);
    assert.equal(
      orderedByHappensBefore([edge(1, 2, 1, [], concurrent1), edge(2, 1, 2, [], after)]),
      true,
    );
    assert.equal(
      orderedByHappensBefore([edge(1, 2, 1, [], concurrent1), edge(2, 1, 2, [], concurrent2)]),
      false,
    );
  });

  test("findDeadlockCycles: elementary cycles once each, smallest node first, bounded length", () => {
    const edges = new Map<number, number[]>([
      [1, [2]],
      [2, [3, 1]],
      [3, [1, 4]],
      [4, [5]],
      [5, [6]],
      [6, [7]],
      [7, [3]],
    ]);
    const graph = { nodes: () => edges.keys(), successors: (n: number) => edges.get(n) ?? [] };
    assert.deepEqual(findDeadlockCycles(graph), [
      [1, 2, 3],
      [1, 2],
      [3, 4, 5, 6, 7],
    ]);
    assert.deepEqual(findDeadlockCycles(graph, 4), [
      [1, 2, 3],
      [1, 2],
    ]);
  });
});
