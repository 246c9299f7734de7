// The acceptance scenarios (shared/SCENARIOS.md) that need no analysis, and the TypeScript
// loader: each fixture under test/fixtures/scenarios runs as its own program, as a user would
// run it (`node --import threadlens/register prog.ts`), and its output is checked exactly.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { preloadRun, root } from "./cliJson.ts";

const fixtures = path.join(root, "test/fixtures/scenarios");

// Starting 100 threads takes 5-10 s on a 2-core machine (each worker thread also starts a
// module-hooks thread of its own on Node 20), much more when the machine is busy.
const HUNDRED_THREADS = 180_000;

interface Run {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs a program under the preload, from the repository root. */
function run(t: TestContext, file: string, timeout = 60_000): Run {
  const started = performance.now();
  const result = preloadRun(path.resolve(fixtures, file), [], {
    timeoutMs: timeout,
    killSignal: "SIGKILL",
  });
  const ms = Math.round(performance.now() - started);
  t.diagnostic(`${path.basename(file)}: ${ms} ms`);
  return {
    status: result.status,
    signal: result.signal,
    stdout: result.stdout,
    stderr: result.stderr,
    ms,
  };
}

/**
 * Runs a fixture that must succeed; returns its stdout lines. Its stderr must be empty, or hold
 * exactly the one threadlens finding `finding` names (kind, and the sites it must cite).
 */
function runOk(t: TestContext, file: string, timeout?: number, finding?: RegExp[]): string[] {
  const r = run(t, file, timeout);
  assert.equal(r.signal, null, `${file} was killed (${r.signal}) after ${r.ms} ms\n${r.stderr}`);
  assert.equal(r.status, 0, `${file} exited ${r.status}\n${r.stderr}`);
  if (finding === undefined) assert.equal(r.stderr, "");
  else {
    assert.match(r.stderr, /threadlens: 1 finding\n$/);
    for (const pattern of finding) assert.match(r.stderr, pattern);
  }
  assert.ok(r.stdout.endsWith("\n"), `${file} printed ${JSON.stringify(r.stdout)}`);
  return r.stdout.split("\n").slice(0, -1);
}

/** The number in `line`, which must match `pattern` (with one capture group). */
function numberIn(line: string | undefined, pattern: RegExp): number {
  const match = pattern.exec(line ?? "");
  assert.ok(match?.[1] !== undefined, `${JSON.stringify(line)} does not match ${pattern}`);
  return Number(match[1]);
}

test("S3: 100 threads decrement a shared counter: updates are lost without a lock, not with one", (t) => {
  const [unlocked, locked, ...rest] = runOk(t, "s3-counter.ts", HUNDRED_THREADS);
  assert.deepEqual(rest, []);
  // Each thread writes (what it read) - 1, so a lost update leaves the counter above 0.
  const final = numberIn(unlocked, /^without lock: (-?\d+)$/);
  assert.ok(
    final > 0 && final < 100,
    `without a lock the counter ends at ${final}, expected 1..99`,
  );
  assert.equal(locked, "with counterLock: 0");
});

test("S4: Condition producer/consumer: 3 producers, 2 consumers, a bounded buffer of 100", (t) => {
  const [consumed, buffered, exits, ...rest] = runOk(t, "s4-condition.ts");
  assert.deepEqual(rest, []);
  // Producer p puts p*1000 + 1 .. p*1000 + 1000 for p = 0, 1, 2.
  assert.equal(consumed, "consumed 3000 items, sum 4501500, left 0");
  const most = numberIn(buffered, /^most buffered: (\d+) \(capacity 100\)$/);
  assert.ok(most >= 1 && most <= 100, `most buffered ${most}`);
  assert.equal(exits, "exit codes: 0,0,0,0,0");
});

test("S6: Semaphore(5) over 100 threads; BoundedSemaphore(2) released three times", (t) => {
  // The preload reports the over-release at the third release (line 51).
  const [acquisitions, max, overRelease, bounded, ...rest] = runOk(
    t,
    "s6-semaphore.ts",
    HUNDRED_THREADS,
    [
      /WARNING: threadlens: over-release\n/,
      /main: at test\/fixtures\/scenarios\/s6-semaphore\.ts:51:\d+\n/,
    ],
  );
  assert.deepEqual(rest, []);
  assert.equal(acquisitions, "slots: 100 acquisitions, value back to 5");
  // Never more than 5 is the guarantee; the first 5 holders wait for each other, so exactly 5.
  assert.equal(max, "max holders: 5");
  assert.equal(
    overRelease,
    "third release: OverReleaseError: bounded: BoundedSemaphore released too many times (limit 2)",
  );
  assert.equal(bounded, "bounded value: 2");
});

test("S8: a daemon thread does not keep the program alive; a non-daemon thread does", (t) => {
  // The ticker never ends by itself: had it kept the program alive, the timeout would kill it.
  // The non-daemon thread is never joined (the program ends when it does): the preload says so.
  const lines = runOk(t, "s8-daemon.ts", 30_000, [
    /unjoined-thread: straggler \(started by main\) was never joined/,
  ]);
  assert.deepEqual(lines, [
    "join({ timeout: 50 }): false, isAlive: true",
    "join(): true, isAlive: false, exitCode: 0",
    "daemon ticker: ticking true, isAlive: true",
    "main done",
    "non-daemon done",
  ]);
});

test("S9: Pool(3) runs 4 applyAsync tasks, at most 3 at once; results through the callback", (t) => {
  assert.deepEqual(runOk(t, "s9-pool.ts"), [
    "callbacks: 4",
    "task 1: 1 squared is 1",
    "task 2: 2 squared is 4",
    "task 3: 3 squared is 9",
    "task 4: 4 squared is 16",
    "all successful: true",
    "started 4, running now 0",
    // At most 3 is the guarantee; the first three tasks wait for each other, so exactly 3.
    "max running at once: 3",
  ]);
});

test("S9 variant: Pool.join() before close() rejects with ThreadStateError", (t) => {
  const misuse = [/WARNING: threadlens: pool-misuse\n/, /s9-pool-join-before-close\.ts:6:\d+\n/];
  assert.deepEqual(runOk(t, "s9-pool-join-before-close.ts", undefined, misuse), [
    "join before close: ThreadStateError: Pool.join() called before close(): the pool is still running",
    "join after close: resolved",
  ]);
});

test("S10: Pipe between main and a thread; recv after the other end closed rejects", (t) => {
  assert.deepEqual(runOk(t, "s10-pipe.ts"), [
    "main got worker: hello, I am chan[1]",
    "main got worker: echo of main's ping 1",
    "main got worker: echo of main's ping 2",
    "main got worker: bye",
    "recv after close: EOFError: chan[0]: the other end is closed",
    "send after close: BrokenPipeError: chan[0].send: the other end is closed",
    "joined echo: true",
  ]);
});

test("loader: an ES module in TypeScript importing .ts files by .js, extensionless and .ts", (t) => {
  assert.deepEqual(runOk(t, "loader/esm.ts"), [
    "hello from esm TypeScript",
    "Square area 4.00; Circle area 12.57",
    "twice 21 = 42",
    "module file: esm.ts",
  ]);
});

test("loader: a CommonJS program in TypeScript that require()s another .ts file", (t) => {
  assert.deepEqual(runOk(t, "loader/cjs.ts"), [
    "COMMONJS TYPESCRIPT!",
    "same module both ways: true",
    "module file: cjs.ts, main: true",
  ]);
});

test("loader: a plain node:worker_threads Worker on a .ts file", (t) => {
  assert.deepEqual(runOk(t, "loader/plainWorkerMain.ts"), [
    "plain worker: isMainThread=false, got 21",
    'main got [{"doubled":42}], worker exit code 0',
  ]);
});

for (const ext of [".ts", ".cts"]) {
  test(`loader: a syntax error in a ${ext} file names the file, line:column and esbuild's message`, (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), "threadlens-syntax-"));
    try {
      const file = path.join(dir, `broken${ext}`);
      copyFileSync(path.join(fixtures, "loader/syntaxError.ts.txt"), file);
      const r = run(t, file, 15_000);
      assert.equal(r.signal, null);
      assert.notEqual(r.status, 0);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, new RegExp(`broken\\${ext}:5:27: Expected "\\)" but found "\\{"`));
      assert.match(r.stderr, /function broken\(a: number \{\n {30}\^/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
