// RWLock in the analysis (its traits row: a sharable lock): a writer waits for every reader, a
// writer-preferring lock makes a reader wait behind a waiting writer, and the lock-order graph
// drops read–read hops (they cannot deadlock alone) but keeps an inversion with a writer.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { analyzeTrace } from "../../../src/analysis/index.ts";
import type { EventKind } from "../../../src/protocol/events.ts";
import type { Finding } from "../../../src/protocol/report.ts";
import { CWD, TraceBuilder } from "./traceBuilder.ts";

/** A shared (read) acquisition event. */
function shared(b: TraceBuilder, kind: EventKind, thread: number, object: number, site = 0): void {
  b.time += 10;
  b.events.push({ kind, thread, object, site, time: b.time, flag: false, shared: true });
}

function summary(findings: readonly Finding[]): string[] {
  return findings.map(
    (f) => `${f.kind} ${[...f.locks].sort().join(",")} ${[...f.threads].sort().join(",")}`,
  );
}

describe("RWLock waits", () => {
  test("a writer waits for every reader: two readers, one of them waiting for the writer's lock", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const rw = b.object("RWLock", "table");
    const lock = b.lock("log");
    const [r1, r2, w] = ["reader-1", "reader-2", "writer"].map((n) => b.worker(n, main));
    shared(b, "acquired", r1 as number, rw, b.site(10));
    shared(b, "acquired", r2 as number, rw, b.site(10));
    b.acquired(w as number, lock, b.site(20));
    b.request(w as number, rw, b.site(21));
    b.request(r1 as number, lock, b.site(11));
    const findings = analyzeTrace(b.build(), { cwd: CWD });
    assert.deepEqual(summary(findings), ["deadlock log,table reader-1,writer"]);
  });

  test("readers alone never wait for each other", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const rw = b.object("RWLock", "table");
    const [r1, r2] = ["reader-1", "reader-2"].map((n) => b.worker(n, main));
    shared(b, "acquired", r1 as number, rw, b.site(10));
    shared(b, "acquire-request", r2 as number, rw, b.site(11));
    shared(b, "acquired", r2 as number, rw, b.site(11));
    shared(b, "release", r1 as number, rw);
    shared(b, "release", r2 as number, rw);
    assert.deepEqual(analyzeTrace(b.build(), { cwd: CWD }), []);
  });

  test("writer-preferring: a reader that reads again behind a waiting writer deadlocks with it", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const rw = b.object("RWLock", "table");
    const [r, w] = ["reader", "writer"].map((n) => b.worker(n, main));
    shared(b, "acquired", r as number, rw, b.site(10));
    b.request(w as number, rw, b.site(20));
    shared(b, "acquire-request", r as number, rw, b.site(12));
    const findings = analyzeTrace(b.build(), { cwd: CWD });
    assert.deepEqual(summary(findings), ["deadlock table reader,writer"]);
  });

  test("a read lock upgraded to write by its holder is a self-deadlock", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const rw = b.object("RWLock", "table");
    shared(b, "acquired", main, rw, b.site(10));
    b.request(main, rw, b.site(11));
    const findings = analyzeTrace(b.build(), { cwd: CWD });
    assert.deepEqual(summary(findings), ["self-deadlock table main"]);
    // The fix "use RLock" belongs to Lock: it is not offered for an RWLock.
    assert.equal(
      findings[0]?.suggestions.some((s) => s.kind === "use-rlock"),
      false,
    );
  });
});

describe("RWLock order", () => {
  function inversion(firstShared: boolean, secondShared: boolean): Finding[] {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const a = b.object("RWLock", "a");
    const c = b.object("RWLock", "c");
    const [t1, t2] = ["t1", "t2"].map((n) => b.worker(n, main));
    const take = (thread: number, lock: number, isShared: boolean, line: number) =>
      isShared
        ? shared(b, "acquired", thread, lock, b.site(line))
        : b.acquired(thread, lock, b.site(line));
    const give = (thread: number, lock: number, isShared: boolean) =>
      isShared ? shared(b, "release", thread, lock) : b.release(thread, lock);
    take(t1 as number, a, firstShared, 10);
    take(t1 as number, c, firstShared, 11);
    give(t1 as number, c, firstShared);
    give(t1 as number, a, firstShared);
    take(t2 as number, c, secondShared, 20);
    take(t2 as number, a, secondShared, 21);
    give(t2 as number, a, secondShared);
    give(t2 as number, c, secondShared);
    b.join(main, t1 as number).join(main, t2 as number);
    return analyzeTrace(b.build(), { cwd: CWD });
  }

  test("read–read inversion: no potential deadlock", () => {
    assert.deepEqual(inversion(true, true), []);
  });

  test("an inversion with a writer on one side is a potential deadlock", () => {
    assert.deepEqual(summary(inversion(true, false)), ["potential-deadlock a,c t1,t2"]);
    assert.deepEqual(summary(inversion(false, false)), ["potential-deadlock a,c t1,t2"]);
  });

  test("a read lock held at thread exit is lock-held-at-exit", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const rw = b.object("RWLock", "table");
    const w = b.worker("w", main);
    shared(b, "acquired", w, rw, b.site(10));
    b.event("thread-exit", w, 0);
    b.join(main, w);
    assert.deepEqual(summary(analyzeTrace(b.build(), { cwd: CWD })), ["lock-held-at-exit table w"]);
  });
});
