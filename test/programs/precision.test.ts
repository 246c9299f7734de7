// DESIGN 5.6, precision: correct programs of the shapes real libraries use give no finding and
// the exit code plain node gives them, under `threadlens run` and under the plain preload; the
// true findings next to them stay (exact kind, locks, threads, lines).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Finding } from "../../src/protocol/report.ts";
import { cliJsonRun, cliRun, preloadRun, type CliRun, type JsonRun } from "./cliJson.ts";
import { lineIn } from "./sourceLines.ts";

const fixtures = "test/fixtures/precision";

const runJson = (fixture: string): JsonRun => cliJsonRun(["run", `${fixtures}/${fixture}`]);

/** Under `node --import threadlens/register`, as a user runs it without the CLI. */
const runPreload = (fixture: string): CliRun => preloadRun(`${fixtures}/${fixture}`);

const lineOf = (fixture: string, text: string): number => lineIn(`${fixtures}/${fixture}`, text);

function expectClean(fixture: string, output: string): void {
  const { status, report, stderr } = runJson(fixture);
  assert.deepEqual(report.findings, [], JSON.stringify(report.findings, null, 2));
  assert.equal(status, 0);
  assert.equal(report.exitCode, 0);
  assert.match(stderr, new RegExp(`^${output}$`, "m"));
  const plain = runPreload(fixture);
  assert.equal(plain.stderr, "");
  assert.equal(plain.status, 0);
  assert.equal(plain.stdout.trim(), output);
}

test("a plain Worker the program unref()'d, idle on its port at the end, is no unjoined thread", () =>
  expectClean("unref-worker.ts", "square 36"));

test("a plain Worker still idle when main calls process.exit(0) is no unjoined thread", () =>
  expectClean("exit-with-idle-worker.ts", "square 49"));

test("a child process killed while its worker runs (thread-stream's suite) leaves no unjoined thread", () => {
  const fixture = "killed-child-worker.ts";
  const output = "square 64; child ended null SIGTERM";
  const { status, report, stderr } = runJson(fixture);
  assert.deepEqual(report.findings, [], JSON.stringify(report.findings, null, 2));
  assert.equal(status, 0);
  assert.deepEqual(
    report.cutProcesses?.map((p) => p.name),
    ["killed-child-worker-child"],
  );
  assert.match(stderr, new RegExp(`^${output}$`, "m"));
  // The plain preload says that the child's recording was cut by its death, and nothing else.
  const plain = runPreload(fixture);
  assert.equal(plain.status, 0);
  assert.equal(plain.stdout.trim(), output);
  assert.match(
    plain.stderr,
    /^threadlens: process killed-child-worker-child \(pid \d+\) died without exiting \(a signal or a crash\): its recording ends with its recorder's last drain, up to 5 ms before its death\nthreadlens: no findings\n$/,
  );
});

test("an async-mutex Mutex still locked when a single-threaded program ends is no finding", () =>
  expectClean("mutex-held-single.ts", "locked true"));

test("a threadlens Lock still held when a single-threaded program ends is no finding", () =>
  expectClean("lock-held-single.ts", "locked true"));

test("workers parked in Atomics.wait for main while main's loop still runs are no hang", () =>
  expectClean("idle-atomics-pool.ts", "results 20,22"));

test("workers parked for good and ended by terminate() are no hang; a Thread whose end terminate() awaited is joined", () => {
  const fixture = "terminate-parked.ts";
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-terminate-"));
  try {
    const trace = path.join(dir, "terminate.tltrace");
    const { status, report, stderr } = cliJsonRun([
      "run",
      `${fixtures}/${fixture}`,
      "--trace",
      trace,
    ]);
    assert.deepEqual(report.findings, [], JSON.stringify(report.findings, null, 2));
    assert.equal(status, 0);
    assert.match(stderr, /^terminated 1,1 after 2 messages, ended$/m);
    // Each terminate() is recorded by its caller, naming the worker, at the call.
    const lines = readFileSync(trace, "utf8").split("\n");
    const threads = new Map<string, string>();
    const siteLines = new Map<string, number>();
    const terminates: Array<[string, string, number]> = [];
    for (const line of lines) {
      const thread = /^thread (\d+) (\S+) /.exec(line);
      if (thread !== null) threads.set(thread[1] ?? "", thread[2] ?? "");
      const site = /^site (\d+) "[^"]*":(\d+):/.exec(line);
      if (site !== null) siteLines.set(site[1] ?? "", Number(site[2]));
      const event = /^[\d.]+ terminate thread=(\d+) object=(\d+) site=(\d+)/.exec(line);
      if (event !== null) {
        const [, by = "", worker = "", at = ""] = event;
        terminates.push([
          threads.get(by) ?? by,
          threads.get(worker) ?? worker,
          siteLines.get(at) ?? 0,
        ]);
      }
    }
    const plainAt = lineOf(fixture, "await w.terminate()");
    assert.deepEqual(terminates.sort(), [
      ["main", "parked-0", plainAt],
      ["main", "parked-1", plainAt],
      ["main", "waiter", lineOf(fixture, "await thread.terminate()")],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const plain = runPreload(fixture);
  assert.equal(plain.stderr, "");
  assert.equal(plain.status, 0);
  assert.equal(plain.stdout.trim(), "terminated 1,1 after 2 messages, ended");
});

test("a worker that exits holding a lock main then wants is still lock-held-at-exit", () => {
  const fixture = "worker-exits-holding.ts";
  const { status, report } = runJson(fixture);
  assert.equal(status, 1);
  assert.deepEqual(
    report.findings.map((f: Finding) => [
      f.kind,
      f.locks,
      f.threads,
      f.sites.map((s) => [s.file, s.line, s.thread, s.role]),
    ]),
    [
      [
        "lock-held-at-exit",
        ["ledger"],
        ["holder"],
        [
          [
            `${fixtures}/worker-exits-holding-worker.ts`,
            lineOf("worker-exits-holding-worker.ts", "ledger.acquireSync()"),
            "holder",
            "holds",
          ],
        ],
      ],
    ],
  );
});

test("a Condition notified before its waiter waits is named a lost wakeup, with waitFor at the wait", () => {
  const fixture = "lost-wakeup.ts";
  const worker = "lost-wakeup-worker.ts";
  const { status, report } = runJson(fixture);
  assert.equal(status, 2);
  assert.equal(report.findings.length, 1, JSON.stringify(report.findings, null, 2));
  const hang = report.findings[0] as Finding;
  assert.equal(hang.kind, "hang");
  assert.deepEqual(hang.locks, ["ready"]);
  assert.deepEqual(hang.threads, ["main", "waiter"]);
  assert.equal(
    hang.message,
    "hang: every thread is blocked and none can wake the others: main joins waiter, which is " +
      "blocked too; waiter waits on condition ready, a lost wakeup: main notified it at " +
      `${fixtures}/${fixture}:${lineOf(fixture, "ready.notify()")} before this wait began, and ` +
      "nothing notifies it since",
  );
  assert.deepEqual(
    hang.sites.map((s) => [s.file, s.line, s.thread, s.role]),
    [
      [`${fixtures}/${fixture}`, lineOf(fixture, "await worker.join()"), "main", "waits"],
      [`${fixtures}/${worker}`, lineOf(worker, "ready.waitSync()"), "waiter", "waits"],
    ],
  );
  assert.deepEqual(
    hang.suggestions.map((s) => [s.kind, s.message.split(",")[0]]),
    [
      [
        "use-wait-for",
        `wait with \`waitFor(predicate)\` in ${fixtures}/${worker}:${lineOf(worker, "ready.waitSync()")}`,
      ],
      [
        "add-timeout",
        `give the blocking waits a timeout in ${fixtures}/${worker}:${lineOf(worker, "ready.waitSync()")} (\`{ timeout }\`) and check the result: a thread then notices that nothing is left to wake it instead of hanging (a message and not an edit: a timeout ends the wait but not its cause; what the thread must do when it expires (release what it holds and retry or fail) is the program's choice)`,
      ],
    ],
  );
});

test("examples/lockab.ts deadlocks: lockA ↔ lockB between worker-1 and worker-2, headed as an error", () => {
  const file = "examples/lockab.ts";
  const r = cliRun(["run", file]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^==================\nERROR: threadlens: deadlock\n/);
  const { status, report } = cliJsonRun(["run", file]);
  assert.equal(status, 2);
  assert.equal(report.findings.length, 1);
  const deadlock = report.findings[0] as Finding;
  assert.equal(deadlock.kind, "deadlock");
  assert.deepEqual(deadlock.locks, ["lockA", "lockB"]);
  assert.deepEqual(deadlock.threads, ["worker-1", "worker-2"]);
  const line = (text: string, n: number): number => lineIn(file, text, n);
  assert.deepEqual(
    deadlock.sites.map((s) => [s.thread, s.line, s.role]),
    [
      ["worker-1", line("lockA.acquireSync()", 1), "holds"],
      ["worker-1", line("lockB.acquireSync()", 1), "waits"],
      ["worker-2", line("lockB.acquireSync()", 2), "holds"],
      ["worker-2", line("lockA.acquireSync()", 2), "waits"],
    ],
  );
});

test("one function called with its locks swapped: no swap edit inside it; one order at the call sites, or acquireAll", () => {
  const fixture = "swapped-args.ts";
  const { status, report } = runJson(fixture);
  assert.equal(status, 2);
  assert.equal(report.findings.length, 1, JSON.stringify(report.findings, null, 2));
  const deadlock = report.findings[0] as Finding;
  assert.equal(deadlock.kind, "deadlock");
  assert.deepEqual(deadlock.locks, ["alpha", "beta"]);
  assert.deepEqual(deadlock.threads, ["t1", "t2"]);
  const holds = lineOf(fixture, "first.acquireSync()");
  const waits = lineOf(fixture, "second.acquireSync()");
  assert.deepEqual(
    deadlock.sites.map((s) => [s.thread, s.line, s.role]),
    [
      ["t1", holds, "holds"],
      ["t1", waits, "waits"],
      ["t2", holds, "holds"],
      ["t2", waits, "waits"],
    ],
  );
  // No suggestion carries an edit that swaps the acquisitions in transfer.
  assert.deepEqual(
    deadlock.suggestions.map((s) => [s.kind, s.edit === undefined]),
    [
      ["global-order", true],
      ["acquire-all", true],
      ["use-rlock", true],
      ["add-timeout", true],
    ],
  );
  assert.match(
    deadlock.suggestions[0]?.message ?? "",
    new RegExp(
      `^take alpha before beta everywhere: both orders come from the same code \\(transfer \\(${fixtures}/${fixture}:${holds}\\), then ${fixtures}/${fixture}:${waits}\\)`,
    ),
  );
});
