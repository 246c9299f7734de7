// DESIGN 5.6 at the analysis level: the precise traces of the shapes that gave false alarms,
// each next to the true finding it must keep.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { analyzeTrace } from "../../../src/analysis/index.ts";
import { LOOP_DRAINED, LOOP_MESSAGES_ONLY } from "../../../src/protocol/events.ts";
import type { Finding } from "../../../src/protocol/report.ts";
import { CWD, TraceBuilder } from "./traceBuilder.ts";

function kinds(b: TraceBuilder): [Finding["kind"], readonly string[]][] {
  return analyzeTrace(b.build(), { cwd: CWD }).map((f) => [f.kind, f.threads]);
}

describe("precision (DESIGN 5.6)", () => {
  test("a plain worker reaped by its parent's exit (unref'd, or process.exit) is no unjoined thread", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const idle = b.worker("idle-worker.ts", main);
    b.exit(main).joinEnd(main, idle, true);
    assert.deepEqual(kinds(b), []);
  });

  test("a lock main holds at the end: no finding alone, lock-held-at-exit when a worker used it", () => {
    const single = new TraceBuilder();
    const main = single.thread("main");
    const config = single.lock("config");
    single.acquired(main, config, single.site(6)).exit(main);
    assert.deepEqual(kinds(single), []);

    const shared = new TraceBuilder();
    const main2 = shared.thread("main");
    const ledger = shared.lock("ledger");
    const w = shared.worker("worker-1", main2);
    shared.acquired(w, ledger).release(w, ledger).exit(w).join(main2, w);
    shared.acquired(main2, ledger, shared.site(9)).exit(main2);
    assert.deepEqual(kinds(shared), [["lock-held-at-exit", ["main"]]]);
  });

  test("an acquisition main left pending and ran on past is no self-deadlock or drained hang", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const busy = b.lock("busy");
    const work = b.lock("work");
    b.acquired(main, busy, b.site(8)).request(main, busy, b.site(9));
    b.acquired(main, work, b.site(12)).release(main, work);
    b.event("loop-idle", main, LOOP_DRAINED, { flag: true }).exit(main);
    assert.deepEqual(kinds(b), []);
  });

  test("the same pending acquisition as main's last act is a self-deadlock", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const busy = b.lock("busy");
    b.acquired(main, busy, b.site(8)).request(main, busy, b.site(9));
    assert.deepEqual(kinds(b), [["self-deadlock", ["main"]]]);
  });

  test("a worker in Atomics.wait for main while main's loop runs is no hang; with main blocked it is", () => {
    const build = (mainBlocked: boolean) => {
      const b = new TraceBuilder();
      const main = b.thread("main");
      const word = b.object("Atomics", "Int32Array[0] of workerData.words");
      const worker = b.worker("pooled-0", main);
      b.waitBegin(worker, word, "wait", b.site(5, { file: "/proj/src/worker.ts" }));
      b.blocked(worker);
      if (mainBlocked) b.joinBegin(main, worker, b.site(14)).idle(main);
      else b.event("loop-idle", main, LOOP_MESSAGES_ONLY, { flag: true });
      return b;
    };
    assert.deepEqual(kinds(build(false)), []);
    assert.deepEqual(kinds(build(true)), [["hang", ["main", "pooled-0"]]]);
  });

  test("an async wait while its thread's loop runs timers is no hang; once the loop is idle it is", () => {
    // Main awaits an event that a timer of its own sets later (DESIGN 5.6): the wait began and
    // nothing else was recorded, but main never blocked (no LOOP_BLOCKED) and its loop never
    // said it was idle.
    const b = new TraceBuilder();
    const main = b.thread("main");
    const ready = b.object("Event", "ready");
    b.waitBegin(main, ready, "wait", b.site(10));
    assert.deepEqual(kinds(b), []);
    b.idle(main);
    assert.deepEqual(kinds(b), [["hang", ["main"]]]);
  });

  test("a Sync wait is a hang as soon as it blocks, with nothing else recorded", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const ready = b.object("Event", "ready");
    b.waitBegin(main, ready, "wait", b.site(10));
    b.blocked(main);
    assert.deepEqual(kinds(b), [["hang", ["main"]]]);
  });
});
