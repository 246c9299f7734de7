// Misuse findings: the runtime's misuse events, threads never joined, locks held at exit.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { analyzeTrace } from "../../../src/analysis/index.ts";
import type { Finding } from "../../../src/protocol/report.ts";
import { CWD, TraceBuilder } from "./traceBuilder.ts";

function analyze(b: TraceBuilder): Finding[] {
  return analyzeTrace(b.build(), { cwd: CWD });
}

describe("misuse", () => {
  test("bad-release: one finding per lock and site, with the site", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const lock = b.lock("L");
    const rlock = b.object("RLock", "R");
    const site = b.site(7, { column: 3 });
    b.event("bad-release", main, lock, { site }).event("bad-release", main, lock, { site });
    b.event("bad-release", main, rlock, { site: b.site(9) });
    assert.deepEqual(analyze(b), [
      {
        kind: "bad-release",
        message: "bad-release: main releases L, which is not held",
        locks: ["L"],
        threads: ["main"],
        sites: [{ file: "src/app.ts", line: 7, column: 3, thread: "main", role: "misuse" }],
        suggestions: [],
      },
      {
        kind: "bad-release",
        message: "bad-release: main releases R, which it does not hold",
        locks: ["R"],
        threads: ["main"],
        sites: [{ file: "src/app.ts", line: 9, column: 5, thread: "main", role: "misuse" }],
        suggestions: [],
      },
    ]);
  });

  test("over-release (S6) and pool-misuse (S9) with their sites", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const sem = b.object("BoundedSemaphore", "sem", { capacity: 2 });
    const pool = b.object("Pool", "Pool", { capacity: 3 });
    b.acquired(main, sem).acquired(main, sem).release(main, sem).release(main, sem);
    b.event("over-release", main, sem, { site: b.site(14) });
    b.event("pool-misuse", main, pool, { site: b.site(20) });
    const findings = analyze(b);
    assert.deepEqual(
      findings.map((f) => [f.kind, f.message, f.locks, f.sites.map((s) => [s.line, s.role])]),
      [
        [
          "over-release",
          "over-release: main releases BoundedSemaphore sem above its initial value 2",
          ["sem"],
          [[14, "misuse"]],
        ],
        [
          "pool-misuse",
          "pool-misuse: main calls Pool.join() before Pool.close()",
          ["Pool"],
          [[20, "misuse"]],
        ],
      ],
    );
  });

  test("unjoined-thread: a worker that ended without a join", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const joined = b.worker("joined", main);
    const forgotten = b.worker("forgotten", main);
    const gaveUp = b.worker("gave-up", main);
    const daemon = b.worker("daemon", main, { daemon: true });
    const outsider = b.worker("Worker-7", 0);
    const task = b.thread("task", { kind: "task", parent: main });
    b.joinBegin(main, gaveUp, b.site(12), true).joinEnd(main, gaveUp, false);
    for (const t of [joined, forgotten, gaveUp, daemon, outsider, task]) b.exit(t);
    b.join(main, joined);
    const findings = analyze(b);
    assert.deepEqual(
      findings.map((f) => [f.kind, f.message, f.threads, f.sites.map((s) => [s.line, s.role])]),
      [
        [
          "unjoined-thread",
          "unjoined-thread: forgotten (started by main) was never joined: call join() so that its end, and any error it ended with, is waited for",
          ["forgotten"],
          [],
        ],
        [
          "unjoined-thread",
          "unjoined-thread: gave-up (started by main) was never joined (a join timed out): call join() so that its end, and any error it ended with, is waited for",
          ["gave-up"],
          [[12, "waits"]],
        ],
      ],
    );
  });

  test("unjoined-thread: still running when main exits, but not while main runs on", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    b.worker("worker-1", main);
    assert.deepEqual(analyze(b), []);
    b.exit(main);
    assert.deepEqual(
      analyze(b).map((f) => [f.kind, f.threads]),
      [["unjoined-thread", ["worker-1"]]],
    );
  });

  test("unjoined-thread: not a worker killed running with its process, nor one alive while its process's main is", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    // A child killed by a signal with its worker running (thread-stream's suite does so): the
    // process hub ends both, flagged as ended by the death.
    const killed = b.thread("killed", { kind: "main", parent: main, pid: 41 });
    const sink = b.worker("killed/sink", killed, { pid: 41 });
    // A worker of that child that ended before, never joined: still unjoined.
    const early = b.worker("killed/early", killed, { pid: 41 });
    b.exit(early);
    b.event("thread-exit", killed, -1, { flag: true }).event("thread-exit", sink, 0, {
      flag: true,
    });
    // A child whose recording stops with its main and its worker still running: the main of
    // that process, not the program's, says whether the run was cut short.
    const cut = b.thread("cut", { kind: "main", parent: main, pid: 42 });
    b.worker("cut/running", cut, { pid: 42 });
    // A child whose main exits while its worker still runs, never joined.
    const ended = b.thread("ended", { kind: "main", parent: main, pid: 43 });
    b.worker("ended/straggler", ended, { pid: 43 });
    b.exit(ended).exit(main);
    assert.deepEqual(
      analyze(b).map((f) => [f.kind, f.threads]),
      [
        ["unjoined-thread", ["killed/early"]],
        ["unjoined-thread", ["ended/straggler"]],
      ],
    );
  });

  test("lock-held-at-exit: with the site where it was taken", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const lock = b.lock("L");
    const rlock = b.object("RLock", "R");
    const sem = b.object("Semaphore", "S", { capacity: 1 });
    const w = b.worker("worker-1", main);
    b.acquired(w, lock, b.site(5)).acquired(w, rlock, b.site(6)).acquired(w, rlock, b.site(7));
    b.release(w, rlock).acquired(w, sem, b.site(8));
    b.exit(w).join(main, w);
    assert.deepEqual(
      analyze(b).map((f) => [f.kind, f.message, f.locks, f.sites.map((s) => [s.line, s.role])]),
      [
        [
          "lock-held-at-exit",
          "lock-held-at-exit: worker-1 exited holding L (taken at src/app.ts:5); no other thread can take it any more",
          ["L"],
          [[5, "holds"]],
        ],
        [
          "lock-held-at-exit",
          "lock-held-at-exit: worker-1 exited holding R (taken at src/app.ts:6); no other thread can take it any more",
          ["R"],
          [[6, "holds"]],
        ],
      ],
    );
  });

  test("lock-held-at-exit: not for a Lock another thread released afterwards", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const lock = b.lock("L");
    const w = b.worker("worker-1", main);
    b.acquired(w, lock, b.site(5)).exit(w).join(main, w).release(main, lock);
    assert.deepEqual(analyze(b), []);
  });
});
