// LiveAnalysis: a deadlock or hang is reported once it has been stable long enough, once; the
// rest comes from finish(); the report's threads show where each thread is.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { LiveAnalysis, reportThreadsOf } from "../../../src/analysis/index.ts";
import type { TraceEvent } from "../../../src/protocol/events.ts";
import { CWD, TraceBuilder } from "./traceBuilder.ts";

/** Two workers about to deadlock on lockA/lockB; the last event is the closing request. */
function abba() {
  const b = new TraceBuilder();
  const main = b.thread("main");
  const lockA = b.lock("lockA");
  const lockB = b.lock("lockB");
  const [w1, w2] = [b.worker("worker-1", main), b.worker("worker-2", main)];
  b.acquired(w1, lockA, b.site(10)).acquired(w2, lockB, b.site(20));
  b.request(w1, lockB, b.site(11));
  const beforeClose = b.events.length;
  b.request(w2, lockA, b.site(21));
  return { b, main, w1, w2, lockA, lockB, beforeClose };
}

function live(b: TraceBuilder, events: readonly TraceEvent[] = b.events): LiveAnalysis {
  const analysis = new LiveAnalysis({ cwd: CWD });
  for (const record of b.meta) analysis.add(record);
  analysis.addEvents(events);
  return analysis;
}

describe("LiveAnalysis", () => {
  test("a deadlock is reported after stableMicros (30 ms), once", () => {
    const { b } = abba();
    const analysis = live(b);
    const formed = b.time;
    assert.deepEqual(analysis.check(formed + 29_999), []);
    const found = analysis.check(formed + 30_000);
    assert.deepEqual(
      found.map((f) => [f.kind, f.threads]),
      [["deadlock", ["worker-1", "worker-2"]]],
    );
    assert.deepEqual(analysis.check(formed + 60_000), []);
    // finish(): neither the deadlock again nor the same cycle as a potential deadlock.
    assert.deepEqual(analysis.finish(), []);
  });

  test("events of an involved thread restart the clock; a cycle that dissolves is not reported", () => {
    const { b, w1, lockB, beforeClose } = abba();
    const analysis = live(b, b.events.slice(0, beforeClose));
    assert.deepEqual(analysis.check(b.time + 100_000), []);
    analysis.addEvents(b.events.slice(beforeClose));
    b.event("acquire-timeout", w1, lockB);
    const later = b.time + 20_000;
    assert.deepEqual(analysis.check(later), []);
    analysis.addEvents(b.events.slice(-1));
    assert.deepEqual(analysis.check(later + 100_000), []);
    assert.deepEqual(
      analysis.finish().map((f) => f.kind),
      ["potential-deadlock"],
    );
  });

  test("options: stableMicros", () => {
    const { b } = abba();
    const analysis = new LiveAnalysis({ cwd: CWD, stableMicros: 5_000 });
    for (const record of b.meta) analysis.add(record);
    analysis.addEvents(b.events);
    assert.equal(analysis.check(b.time + 4_999).length, 0);
    assert.equal(analysis.check(b.time + 5_000).length, 1);
  });

  test("a hang is reported after hangMicros (300 ms)", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const ready = b.object("Event", "ready");
    const w = b.worker("worker-1", main);
    b.waitBegin(w, ready, "wait", b.site(4)).blocked(w);
    b.joinBegin(main, w, b.site(9)).idle(main);
    const analysis = live(b);
    assert.deepEqual(analysis.check(b.time + 299_999), []);
    assert.deepEqual(
      analysis.check(b.time + 300_000).map((f) => [f.kind, f.threads]),
      [["hang", ["main", "worker-1"]]],
    );
    assert.deepEqual(analysis.check(b.time + 600_000), []);
    assert.deepEqual(analysis.finish(), []);
  });

  test("a hang seen first after a long gap between checks (a starved recorder) is watched 100 ms more", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const ready = b.object("Event", "ready");
    const w = b.worker("worker-1", main);
    b.waitBegin(w, ready, "wait", b.site(4)).blocked(w);
    b.joinBegin(main, w, b.site(9)).idle(main);
    const analysis = live(b);
    assert.deepEqual(analysis.check(b.time + 1_000), []);
    // The next check comes 400 ms later: the state it sees may be one that descheduled
    // threads have not published past yet.
    assert.deepEqual(analysis.check(b.time + 401_000), []);
    assert.deepEqual(analysis.check(b.time + 500_999), []);
    assert.deepEqual(
      analysis.check(b.time + 501_000).map((f) => [f.kind, f.threads]),
      [["hang", ["main", "worker-1"]]],
    );
  });

  test("batches drained per OS thread, out of time order across threads", () => {
    const { b, w1, w2 } = abba();
    const analysis = new LiveAnalysis({ cwd: CWD });
    for (const record of b.meta) analysis.add(record);
    analysis.addEvents(b.events.filter((e) => e.thread === w2));
    analysis.addEvents(b.events.filter((e) => e.thread !== w2));
    assert.deepEqual(
      analysis.check(b.time + 30_000).map((f) => f.threads),
      [["worker-1", "worker-2"]],
    );
    assert.ok(w1 !== w2);
  });

  test("timeoutFinding: a hang naming every live thread and where it is; finish() adds no other", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const ready = b.object("Event", "ready");
    const lock = b.lock("L");
    const [w1, w2, w3] = ["worker-1", "worker-2", "spinner"].map((n) => b.worker(n, main)) as [
      number,
      number,
      number,
    ];
    b.waitBegin(w1, ready, "wait", b.site(4)).acquired(w3, lock, b.site(7));
    b.request(w2, lock, b.site(5), true).joinBegin(main, w1, b.site(9));
    const analysis = live(b);
    const finding = analysis.timeoutFinding(2000);
    assert.equal(
      finding.message,
      "hang: still running after the 2000 ms timeout: main joins worker-1; " +
        "worker-1 waits on event ready; worker-2 waits for L held by spinner (with a timeout); " +
        "spinner is running (last seen at src/app.ts:7)",
    );
    assert.deepEqual(finding.threads, ["main", "worker-1", "worker-2", "spinner"]);
    assert.deepEqual(finding.locks, ["ready", "L"]);
    assert.deepEqual(
      finding.sites.map((s) => [s.thread, s.line, s.role]),
      [
        ["main", 9, "waits"],
        ["worker-1", 4, "waits"],
        ["worker-2", 5, "waits"],
      ],
    );
    assert.deepEqual(analysis.finish(), []);
  });

  test("report threads: blocked threads at their wait site, exited ones", () => {
    const { b, main, w1 } = abba();
    b.exit(main);
    const threads = reportThreadsOf(b.build(), { cwd: CWD });
    assert.deepEqual(
      threads.map((t) => [t.name, t.kind, t.state, t.stack.map((f) => `${f.file}:${f.line}`)]),
      [
        ["main", "main", "exited", []],
        ["worker-1", "worker", "blocked", ["src/app.ts:11"]],
        ["worker-2", "worker", "blocked", ["src/app.ts:21"]],
      ],
    );
    const analysis = live(b);
    assert.deepEqual(analysis.threads(), threads);
    assert.equal(w1, threads[1]?.ident);
  });
});
