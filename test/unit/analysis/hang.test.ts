// The global case: every thread blocked with nothing left that could wake it, with the reason
// per thread; and the states that are not a hang (a loop still busy, a timeout, a set event).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { analyzeTrace } from "../../../src/analysis/index.ts";
import type { Finding } from "../../../src/protocol/report.ts";
import { CWD, TraceBuilder } from "./traceBuilder.ts";

function hangOf(findings: readonly Finding[]): Finding {
  assert.deepEqual(
    findings.map((f) => f.kind),
    ["hang"],
  );
  return findings[0] as Finding;
}

/** S5 variant: three workers wait on `ready`, which nobody sets; main joins worker-1. */
function eventNeverSet(options: { sync: boolean }): {
  b: TraceBuilder;
  main: number;
  workers: number[];
  ready: number;
} {
  const b = new TraceBuilder();
  const main = b.thread("main");
  const ready = b.object("Event", "ready");
  const workers = [1, 2, 3].map((i) => b.worker(`worker-${i}`, main));
  workers.forEach((w, i) => {
    b.waitBegin(w, ready, "wait", b.site(20 + i, { fn: "work" }));
    // A Sync wait says its thread blocks as it begins; an async one's loop says later that
    // it has nothing else to run.
    if (options.sync) b.blocked(w);
    else b.idle(w);
  });
  b.joinBegin(main, workers[0] as number, b.site(40));
  if (options.sync) b.blocked(main);
  else b.idle(main);
  return { b, main, workers, ready };
}

describe("hang", () => {
  for (const sync of [true, false]) {
    test(`S5 variant (${sync ? "Sync waits" : "async waits, loops idle"}): every waiter listed with its wait site`, () => {
      const finding = hangOf(analyzeTrace(eventNeverSet({ sync }).b.build(), { cwd: CWD }));
      assert.equal(
        finding.message,
        "hang: every thread is blocked and none can wake the others: " +
          "main joins worker-1, which is blocked too; " +
          "worker-1 waits on event ready, which no live thread can set; " +
          "worker-2 waits on event ready, which no live thread can set; " +
          "worker-3 waits on event ready, which no live thread can set",
      );
      assert.deepEqual(finding.locks, ["ready"]);
      assert.deepEqual(finding.threads, ["main", "worker-1", "worker-2", "worker-3"]);
      assert.deepEqual(
        finding.sites.map((s) => [s.thread, s.role, s.line]),
        [
          ["main", "waits", 40],
          ["worker-1", "waits", 20],
          ["worker-2", "waits", 21],
          ["worker-3", "waits", 22],
        ],
      );
      assert.deepEqual(
        finding.suggestions.map((s) => s.kind),
        ["add-timeout"],
      );
    });
  }

  test("no hang while one loop with an async waiter has other work (no loop-idle)", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const ready = b.object("Event", "ready");
    const task = b.thread("waiter", { kind: "task", parent: main });
    b.waitBegin(task, ready, "wait", b.site(5));
    // The main logical thread of that OS thread runs on (an event after the wait began).
    b.event("create", main, b.object("Lock", "other"));
    assert.deepEqual(analyzeTrace(b.build(), { cwd: CWD }), []);
    b.idle(main, true);
    const finding = hangOf(analyzeTrace(b.build(), { cwd: CWD }));
    assert.deepEqual(finding.threads, ["waiter"]);
    b.idle(main, false);
    assert.deepEqual(analyzeTrace(b.build(), { cwd: CWD }), []);
  });

  test("no hang when the event is set, a wait has a timeout, or a thread runs", () => {
    const set = eventNeverSet({ sync: true });
    set.b.event("set", set.main, set.ready);
    assert.deepEqual(analyzeTrace(set.b.build(), { cwd: CWD }), []);

    const timed = new TraceBuilder();
    const main = timed.thread("main");
    const ready = timed.object("Event", "ready");
    const w = timed.worker("worker-1", main);
    timed.waitBegin(w, ready, "wait", timed.site(3), true).joinBegin(main, w, timed.site(4));
    assert.deepEqual(analyzeTrace(timed.build(), { cwd: CWD }), []);

    const running = eventNeverSet({ sync: true });
    running.b.worker("busy", running.main);
    assert.deepEqual(analyzeTrace(running.b.build(), { cwd: CWD }), []);
  });

  test("no hang after main exited (the program ended)", () => {
    const { b, main } = eventNeverSet({ sync: true });
    b.event("join-end", main, 2, { flag: false }).exit(main);
    // The workers it never joined are what is left to report.
    assert.deepEqual(
      analyzeTrace(b.build(), { cwd: CWD }).map((f) => f.kind),
      ["unjoined-thread", "unjoined-thread", "unjoined-thread"],
    );
  });

  test("S7 variant: queue.join() with unfinished tasks, the (daemon) consumer waiting for more", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const queue = b.object("Queue", "jobs");
    const consumer = b.worker("consumer", main, { daemon: true });
    for (let i = 0; i < 3; i++) b.event("put", main, queue);
    for (let i = 0; i < 3; i++) b.event("get", consumer, queue);
    b.waitBegin(consumer, queue, "get", b.site(12, { fn: "consume" })).blocked(consumer);
    b.waitBegin(main, queue, "join", b.site(30)).blocked(main);
    const finding = hangOf(analyzeTrace(b.build(), { cwd: CWD }));
    assert.equal(
      finding.message,
      "hang: every thread is blocked and none can wake the others: " +
        "main blocked in queue.join() with 3 unfinished tasks in jobs; " +
        "consumer waits in queue.get() on empty jobs, which no live thread can put to",
    );
    assert.deepEqual(finding.locks, ["jobs"]);
    assert.deepEqual(finding.threads, ["main", "consumer"]);
    assert.deepEqual(
      finding.sites.map((s) => [s.thread, s.line]),
      [
        ["main", 30],
        ["consumer", 12],
      ],
    );
  });

  test("queue.join() after every task was done is no hang", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const queue = b.object("Queue", "queue");
    b.event("put", main, queue).event("get", main, queue).event("task-done", main, queue);
    b.waitBegin(main, queue, "join", b.site(30));
    assert.deepEqual(analyzeTrace(b.build(), { cwd: CWD }), []);
  });

  test("condition never notified, and a lock held by a thread that exited", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const cond = b.object("Condition", "c");
    const lock = b.lock("L");
    const w1 = b.worker("worker-1", main);
    const w2 = b.worker("worker-2", main);
    b.waitBegin(w1, cond, "wait", b.site(8)).blocked(w1);
    b.acquired(w2, lock, b.site(9)).exit(w2);
    b.request(main, lock, b.site(10)).blocked(main);
    const findings = analyzeTrace(b.build(), { cwd: CWD });
    assert.deepEqual(
      findings.map((f) => f.kind),
      ["hang", "lock-held-at-exit", "unjoined-thread"],
    );
    assert.equal(
      findings[0]?.message,
      "hang: every thread is blocked and none can wake the others: " +
        "main waits for L held by worker-2, which has exited; " +
        "worker-1 waits on condition c never notified",
    );
    assert.deepEqual(findings[0]?.locks, ["L", "c"]);
  });

  test("a daemon thread blocked alone is no hang; with a non-daemon thread it is listed", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const ready = b.object("Event", "ready");
    const daemon = b.worker("daemon", main, { daemon: true });
    b.waitBegin(daemon, ready, "wait", b.site(3)).blocked(daemon);
    b.idle(main);
    assert.deepEqual(analyzeTrace(b.build(), { cwd: CWD }), []);
    b.waitBegin(main, ready, "wait", b.site(4)).blocked(main);
    assert.deepEqual(hangOf(analyzeTrace(b.build(), { cwd: CWD })).threads, ["main", "daemon"]);
  });

  test("a task awaiting a timer while main awaits its join is no hang, until the loop is idle", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const task = b.thread("sleeper", { kind: "task", parent: main });
    b.joinBegin(main, task, b.site(4));
    // The join is awaited: main's loop runs on, and the task's timer with it.
    assert.deepEqual(analyzeTrace(b.build(), { cwd: CWD }), []);
    b.idle(main);
    assert.deepEqual(hangOf(analyzeTrace(b.build(), { cwd: CWD })).threads, ["main"]);
  });

  test("a worker being terminated ends whatever it waits for: its parent awaiting that end is not hung", () => {
    const terminated = (terminate: boolean): { b: TraceBuilder; main: number; worker: number } => {
      const b = new TraceBuilder();
      const main = b.thread("main");
      const ready = b.object("Event", "ready");
      const worker = b.worker("worker", main);
      b.waitBegin(worker, ready, "wait", b.site(3)).blocked(worker);
      if (terminate) b.event("terminate", main, worker, { site: b.site(8) });
      b.joinBegin(main, worker, b.site(9)).idle(main);
      return { b, main, worker };
    };
    assert.deepEqual(hangOf(analyzeTrace(terminated(false).b.build(), { cwd: CWD })).threads, [
      "main",
      "worker",
    ]);
    // The termination takes its time (a loaded machine): nothing to report meanwhile, nor after.
    const { b, main, worker } = terminated(true);
    assert.deepEqual(analyzeTrace(b.build(), { cwd: CWD }), []);
    b.exit(worker, 1).joinEnd(main, worker);
    assert.deepEqual(analyzeTrace(b.build(), { cwd: CWD }), []);
  });

  test("a worker being terminated is no deadlock with the parent that holds what it waits for", () => {
    const cycle = (terminate: boolean): TraceBuilder => {
      const b = new TraceBuilder();
      const main = b.thread("main");
      const lock = b.lock("L");
      const worker = b.worker("worker", main);
      b.acquired(main, lock, b.site(2));
      b.request(worker, lock, b.site(3)).blocked(worker);
      if (terminate) b.event("terminate", main, worker, { site: b.site(8) });
      b.joinBegin(main, worker, b.site(9)).idle(main);
      return b;
    };
    assert.deepEqual(
      analyzeTrace(cycle(false).build(), { cwd: CWD }).map((f) => [f.kind, f.threads, f.locks]),
      [["deadlock", ["main", "worker"], ["L"]]],
    );
    assert.deepEqual(analyzeTrace(cycle(true).build(), { cwd: CWD }), []);
  });
});
