// Actual deadlocks from the wait-for graph: lock cycles of every length, joins, self-deadlock,
// semaphores, and what does not deadlock (timeouts, a holder that still runs).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { analyzeTrace } from "../../../src/analysis/index.ts";
import type { Finding } from "../../../src/protocol/report.ts";
import { CWD, TraceBuilder } from "./traceBuilder.ts";

function kinds(findings: readonly Finding[]): string[] {
  return findings.map((f) => f.kind);
}

function only(findings: readonly Finding[], kind: string): Finding {
  const matching = findings.filter((f) => f.kind === kind);
  assert.equal(matching.length, 1, `one ${kind} in ${JSON.stringify(kinds(findings))}`);
  return matching[0] as Finding;
}

/** S1 at the moment it deadlocks: worker-1 is in doB, worker-2 in doA. */
function s1Trace(): { b: TraceBuilder; main: number; lockA: number } {
  const b = new TraceBuilder();
  const main = b.thread("main");
  const lockA = b.lock("lockA", b.site(28));
  const lockB = b.lock("lockB", b.site(29));
  const doA1 = b.site(12, { fn: "doA", column: 9 });
  const doA2 = b.site(14, { fn: "doA", column: 9 });
  const doB1 = b.site(20, { fn: "doB", column: 9 });
  const doB2 = b.site(22, { fn: "doB", column: 9 });
  const w1 = b.worker("worker-1", main);
  const w2 = b.worker("worker-2", main);
  b.acquired(w1, lockA, doA1).acquired(w1, lockB, doA2).release(w1, lockB).release(w1, lockA);
  b.acquired(w2, lockA, doA1);
  b.acquired(w1, lockB, doB1);
  b.request(w2, lockB, doA2).request(w1, lockA, doB2);
  b.joinBegin(main, w1, b.site(34));
  return { b, main, lockA };
}

/** n workers, worker i holds L(i) and waits for L(i+1 mod n). */
function ringTrace(n: number, timedWaiter = -1): { b: TraceBuilder; locks: number[] } {
  const b = new TraceBuilder();
  const main = b.thread("main");
  const locks = Array.from({ length: n }, (_, i) => b.lock(`L${i}`));
  const workers = Array.from({ length: n }, (_, i) => b.worker(`w${i}`, main));
  workers.forEach((w, i) => b.acquired(w, locks[i] as number, b.site(10 + i)));
  workers.forEach((w, i) =>
    b.request(w, locks[(i + 1) % n] as number, b.site(20 + i), i === timedWaiter),
  );
  return { b, locks };
}

describe("wait-for graph: deadlocks", () => {
  test("S1: one deadlock, both threads, four sites, no potential deadlock for the same cycle", () => {
    const findings = analyzeTrace(s1Trace().b.build(), { cwd: CWD });
    assert.deepEqual(kinds(findings), ["deadlock"]);
    const deadlock = findings[0] as Finding;
    assert.equal(
      deadlock.message,
      "deadlock: worker-2 holds lockA and waits for lockB; worker-1 holds lockB and waits for lockA (cycle lockA → lockB → lockA)",
    );
    assert.deepEqual(deadlock.locks, ["lockA", "lockB"]);
    assert.deepEqual(deadlock.threads, ["worker-2", "worker-1"]);
    assert.deepEqual(deadlock.sites, [
      { file: "src/app.ts", line: 12, column: 9, thread: "worker-2", role: "holds", lock: "lockA" },
      { file: "src/app.ts", line: 14, column: 9, thread: "worker-2", role: "waits", lock: "lockB" },
      { file: "src/app.ts", line: 20, column: 9, thread: "worker-1", role: "holds", lock: "lockB" },
      { file: "src/app.ts", line: 22, column: 9, thread: "worker-1", role: "waits", lock: "lockA" },
    ]);
    assert.deepEqual(
      deadlock.suggestions.map((s) => s.kind),
      ["global-order", "acquire-all", "use-rlock", "add-timeout"],
    );
  });

  for (let n = 2; n <= 6; n++) {
    test(`a cycle of ${n} threads and ${n} locks is one deadlock`, () => {
      const findings = analyzeTrace(ringTrace(n).b.build(), { cwd: CWD });
      const deadlock = only(findings, "deadlock");
      const names = Array.from({ length: n }, (_, i) => `L${i}`);
      assert.deepEqual(deadlock.locks, names);
      assert.deepEqual(
        deadlock.threads,
        Array.from({ length: n }, (_, i) => `w${i}`),
      );
      assert.match(deadlock.message, new RegExp(`\\(cycle ${[...names, "L0"].join(" → ")}\\)$`));
      assert.equal(deadlock.sites.length, 2 * n);
      assert.deepEqual(kinds(findings), ["deadlock"]);
    });
  }

  test("one wait with a timeout: no deadlock (the inversion stays a potential deadlock)", () => {
    const findings = analyzeTrace(ringTrace(3, 1).b.build(), { cwd: CWD });
    assert.deepEqual(kinds(findings), ["potential-deadlock"]);
    assert.deepEqual(findings[0]?.locks, ["L0", "L1", "L2"]);
  });

  test("S13: main holds L and joins a worker that waits for L", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const lock = b.lock("L");
    b.acquired(main, lock, b.site(5));
    const worker = b.worker("worker-1", main);
    b.joinBegin(main, worker, b.site(7));
    b.request(worker, lock, b.site(30, { fn: "work" }));
    const findings = analyzeTrace(b.build(), { cwd: CWD });
    assert.deepEqual(kinds(findings), ["deadlock"]);
    const deadlock = findings[0] as Finding;
    assert.equal(
      deadlock.message,
      "deadlock: main holds L and joins worker-1; worker-1 waits for L (cycle L → join(worker-1) → L)",
    );
    assert.deepEqual(deadlock.locks, ["L"]);
    assert.deepEqual(deadlock.threads, ["main", "worker-1"]);
    assert.deepEqual(
      deadlock.sites.map((s) => [s.thread, s.role, s.line]),
      [
        ["main", "holds", 5],
        ["main", "waits", 7],
        ["worker-1", "waits", 30],
      ],
    );
    assert.deepEqual(
      deadlock.suggestions.map((s) => s.kind),
      ["add-timeout"],
    );
  });

  test("a join with timeout, or of a thread that ended, is no deadlock", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const lock = b.lock("L");
    b.acquired(main, lock, b.site(5));
    const worker = b.worker("worker-1", main);
    b.joinBegin(main, worker, b.site(7), true);
    b.request(worker, lock, b.site(30));
    assert.deepEqual(kinds(analyzeTrace(b.build(), { cwd: CWD })), []);
  });

  test("self-deadlock: a Lock requested by its holder", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const lock = b.lock("L", b.site(3));
    const worker = b.worker("worker-1", main);
    b.acquired(worker, lock, b.site(10)).request(worker, lock, b.site(11));
    const findings = analyzeTrace(b.build(), { cwd: CWD });
    assert.deepEqual(kinds(findings), ["self-deadlock"]);
    const finding = findings[0] as Finding;
    assert.equal(
      finding.message,
      "self-deadlock: worker-1 acquires L again while holding it (Lock is not reentrant)",
    );
    assert.deepEqual(finding.locks, ["L"]);
    assert.deepEqual(finding.threads, ["worker-1"]);
    assert.deepEqual(
      finding.sites.map((s) => [s.role, s.line]),
      [
        ["holds", 10],
        ["waits", 11],
      ],
    );
    assert.deepEqual(
      finding.suggestions.map((s) => s.kind),
      ["use-rlock", "add-timeout"],
    );
  });

  test("an RLock taken again by its holder is no deadlock", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const lock = b.object("RLock", "R");
    b.acquired(main, lock, b.site(3)).acquired(main, lock, b.site(4));
    b.release(main, lock).release(main, lock);
    assert.deepEqual(analyzeTrace(b.build(), { cwd: CWD }), []);
  });

  function semaphoreTrace(secondHolderBlocked: boolean): TraceBuilder {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const sem = b.object("Semaphore", "S", { capacity: 2 });
    const lock = b.lock("M");
    const [w1, w2, w3] = ["w1", "w2", "w3"].map((n) => b.worker(n, main)) as [
      number,
      number,
      number,
    ];
    b.acquired(w1, sem, b.site(10)).acquired(w2, sem, b.site(10)).acquired(w3, lock, b.site(11));
    b.request(w1, lock, b.site(12));
    if (secondHolderBlocked) b.request(w2, lock, b.site(12));
    b.request(w3, sem, b.site(13));
    return b;
  }

  test("semaphore: a waiter waits for all holders; all of them blocked is a deadlock", () => {
    const findings = analyzeTrace(semaphoreTrace(true).build(), { cwd: CWD });
    assert.deepEqual(kinds(findings), ["deadlock"]);
    const deadlock = findings[0] as Finding;
    assert.equal(
      deadlock.message,
      "deadlock: w1 holds S and waits for M; w3 holds M and waits for S; w2 holds S and waits for M (cycle S → M → S)",
    );
    assert.deepEqual(deadlock.locks, ["S", "M"]);
    assert.deepEqual(deadlock.threads, ["w1", "w3", "w2"]);
  });

  test("semaphore: one holder still running means no deadlock", () => {
    const findings = analyzeTrace(semaphoreTrace(false).build(), { cwd: CWD });
    assert.deepEqual(kinds(findings), []);
  });

  test("threads blocked behind a cycle are not reported separately", () => {
    const { b, main, lockA } = s1Trace();
    const w3 = b.worker("worker-3", main);
    b.request(w3, lockA, b.site(12, { fn: "doA" }));
    const findings = analyzeTrace(b.build(), { cwd: CWD });
    assert.deepEqual(kinds(findings), ["deadlock"]);
    assert.deepEqual(findings[0]?.threads, ["worker-2", "worker-1"]);
  });
});
