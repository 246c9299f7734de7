// The short per-thread reasons the Call Stack and the views show: the cycle's threads, the
// threads stuck behind it, bystanders blocked on something else, and running threads.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Dictionary } from "../../../src/analysis/dictionary.ts";
import { RunState } from "../../../src/analysis/runState.ts";
import { threadReasons } from "../../../src/analysis/threadReasons.ts";
import type { Trace } from "../../../src/protocol/events.ts";
import { TraceBuilder } from "./traceBuilder.ts";

function stateOf(trace: Trace): RunState {
  const dict = new Dictionary();
  for (const record of trace.meta) dict.add(record);
  const state = new RunState(dict);
  for (const event of trace.events) state.apply(event);
  return state;
}

function reasons(trace: Trace): Record<string, string> {
  const state = stateOf(trace);
  return Object.fromEntries(
    threadReasons(state).map((r) => [state.dict.threadName(r.ident), `${r.role}: ${r.text}`]),
  );
}

describe("threadReasons", () => {
  test("S1: both cycle threads deadlocked on what each waits for; a third stuck behind", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const lockA = b.lock("lockA");
    const lockB = b.lock("lockB");
    const go = b.object("Event", "go");
    const w1 = b.worker("worker-1", main);
    const w2 = b.worker("worker-2", main);
    const w3 = b.worker("worker-3", main);
    const w4 = b.worker("worker-4", main);
    b.acquired(w1, lockA).acquired(w2, lockB);
    b.request(w1, lockB).request(w2, lockA).request(w3, lockA);
    b.waitBegin(w4, go, "wait");
    assert.deepEqual(reasons(b.build()), {
      main: "free: running",
      "worker-1": "cycle: deadlocked on lockB",
      "worker-2": "cycle: deadlocked on lockA",
      "worker-3": "behind-cycle: stuck on lockA",
      "worker-4": "blocked: waiting for event go",
    });
  });

  test("a join in the cycle, a queue get and a timed Atomics wait (a sleep)", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const lock = b.lock("L");
    const jobs = b.object("Queue", "jobs");
    const word = b.object("Atomics", "Int32Array[0]");
    const w1 = b.worker("w1", main);
    const w2 = b.worker("w2", main);
    const w3 = b.worker("w3", main);
    b.acquired(main, lock).request(w1, lock).joinBegin(main, w1);
    b.waitBegin(w2, jobs, "get").waitBegin(w3, word, "wait", 0, true);
    assert.deepEqual(reasons(b.build()), {
      main: "cycle: deadlocked joining w1",
      w1: "cycle: deadlocked on L",
      w2: "blocked: waiting to get from queue jobs",
      w3: "blocked: sleeping",
    });
  });

  test("no cycle: a thread blocked on a lock whose holder runs is only blocked", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const lock = b.lock("L");
    const w1 = b.worker("w1", main);
    b.acquired(main, lock).request(w1, lock);
    assert.deepEqual(reasons(b.build()), { main: "free: running", w1: "blocked: blocked on L" });
  });
});
