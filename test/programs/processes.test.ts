// Processes (DESIGN 3.3): Process over child_process.fork under the preload, each fixture of
// test/fixtures/processes run through the real CLI (dist/cli.js) as a user would run it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { lineIn } from "./sourceLines.ts";
import { cli, cliEnv, cliJsonRun, cliRun, root, type CliRun, type JsonRun } from "./cliJson.ts";
import { ended, running } from "./processLife.ts";

const fixtures = path.join(root, "test/fixtures/processes");

const runCli = (file: string): CliRun => cliRun(["run", file], { killSignal: "SIGKILL" });
const runJson = (file: string, ...extra: string[]): JsonRun =>
  cliJsonRun(["run", file, ...extra], { killSignal: "SIGKILL" });

test("Process: start, args, output, join, join({ timeout }), exit codes, terminate and kill", () => {
  const r = runCli(path.join(fixtures, "basic.ts"));
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.split("\n"), [
    "before start: isAlive false, pid undefined, exitCode undefined",
    "started: isAlive true, pid is a number true",
    'child echo got {"n":7,"words":["a","b"]}',
    "join: true, isAlive false, exitCode 0",
    "Process-1 exitCode 3",
    "join({ timeout: 50 }): false",
    "sleeper done",
    "join(): true, exitCode 0",
    "terminate: false then true, exitCode -15",
    "kill: false then true, exitCode -9",
    "",
  ]);
  assert.equal(r.stderr, "threadlens: no findings\n");
});

test("Process: a daemon does not keep its parent alive and is ended with it", async () => {
  const r = runCli(path.join(fixtures, "daemon.ts"));
  assert.equal(r.status, 0, r.stderr);
  const [first, ...rest] = r.stdout.split("\n");
  const pid = Number(/^daemon ticker pid (\d+) daemon true$/.exec(first ?? "")?.[1]);
  assert.ok(pid > 0, `first line: ${first}`);
  // The non-daemon process kept the parent alive until it ended.
  assert.deepEqual(rest, ["main done", "non-daemon done", ""]);
  await ended(pid);
});

test("Process: a child whose parent is killed ends itself (no orphan left)", async () => {
  const parent = spawn(process.execPath, [cli, "run", path.join(fixtures, "orphan.ts")], {
    cwd: root,
    env: cliEnv(),
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: parent.stdout });
  const first = await new Promise<string>((resolve) => lines.once("line", resolve));
  const [, program, child] = /^parent pid (\d+) child pid (\d+)$/.exec(first)?.map(Number) ?? [];
  assert.ok(program !== undefined && child !== undefined, `first line: ${first}`);
  try {
    assert.ok(running(child));
    const exited = new Promise((resolve) => parent.once("exit", resolve));
    process.kill(program, "SIGKILL");
    await exited;
    await ended(child);
  } finally {
    if (running(child)) process.kill(child, "SIGKILL");
  }
});

test("Process: a module that cannot start fails like a Thread's (missing: at new, syntax: in the child)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-process-"));
  try {
    copyFileSync(
      path.join(root, "test/fixtures/scenarios/loader/syntaxError.ts.txt"),
      path.join(dir, "broken.ts"),
    );
    copyFileSync(path.join(fixtures, "startErrors.ts"), path.join(dir, "main.ts"));
    const r = runCli(path.join(dir, "main.ts"));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout,
      `ArgumentError: new Process(): module not found: ${path.join(dir, "missing.ts")} or ${path.join(root, "missing.ts")}\nexitCode 1\n`,
    );
    assert.match(
      r.stderr,
      /^Exception in process broken:\nSyntaxError: .*broken\.ts:5:27: Expected "\)" but found "\{"\n {4}function broken\(a: number \{\n/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** 1-based line of `fixture` (under test/fixtures/processes) holding `text`, `n`th match. */
const lineOf = (fixture: string, text: string, n = 1): number =>
  lineIn(path.join(fixtures, fixture), text, n);

/** The deadlock of two threads `prefix/first` and `prefix/second` in `fixture`. */
function assertChildDeadlock(r: JsonRun, fixture: string, prefix: string): void {
  assert.equal(r.status, 2, r.stderr);
  const [finding, ...rest] = r.report.findings;
  assert.equal(finding?.kind, "deadlock", JSON.stringify(r.report.findings, null, 1));
  assert.deepEqual(rest, []);
  assert.deepEqual([...finding.locks].sort(), ["lockA", "lockB"]);
  assert.deepEqual([...finding.threads].sort(), [`${prefix}/first`, `${prefix}/second`]);
  const file = `test/fixtures/processes/${fixture}`;
  const holds = lineOf(fixture, "held.acquireSync()");
  const waits = lineOf(fixture, "wanted.acquireSync()");
  const sites = finding.sites.map((s) => `${s.thread} ${s.role} ${s.file}:${s.line}`).sort();
  assert.deepEqual(sites, [
    `${prefix}/first holds ${file}:${holds}`,
    `${prefix}/first waits ${file}:${waits}`,
    `${prefix}/second holds ${file}:${holds}`,
    `${prefix}/second waits ${file}:${waits}`,
  ]);
}

test("recording across processes: a deadlock in a Process's child is the run's, its threads named <process>/<thread>", async () => {
  const trace = path.join(mkdtempSync(path.join(tmpdir(), "threadlens-trace-")), "run.tltrace");
  try {
    const r = runJson(path.join("test/fixtures/processes/childDeadlock.ts"), "--trace", trace);
    assertChildDeadlock(r, "childDeadlock.ts", "worker");
    const threads = r.report.threads.map((t) => `${t.name} ${t.kind} ${t.state}`);
    assert.deepEqual(threads, [
      "main main blocked",
      "worker main blocked",
      "worker/first worker blocked",
      "worker/second worker blocked",
    ]);
    // main's join of the child process is on record: main waits at its join.
    assert.equal(r.report.threads[0]?.stack[0]?.line, lineOf("childDeadlock.ts", "worker.join()"));
    const child = Number(/started worker pid (\d+)/.exec(r.stderr)?.[1]);
    assert.ok(child > 0, r.stderr);
    await ended(child);
    const names = readFileSync(trace, "utf8")
      .split("\n")
      .filter((line) => line.startsWith("thread "))
      .map((line) => line.split(" ")[2]);
    assert.deepEqual(names, ["main", "worker", "worker/first", "worker/second"]);
  } finally {
    rmSync(path.dirname(trace), { recursive: true, force: true });
  }
});

test("recording across processes: a plain child_process.fork child runs under the preload, recorded by the run", async () => {
  const r = runJson("test/fixtures/processes/plainFork.ts");
  assertChildDeadlock(r, "plainForkChild.ts", "plainForkChild");
  const child = Number(/forked pid (\d+)/.exec(r.stderr)?.[1]);
  assert.ok(child > 0, r.stderr);
  await ended(child);
});

test("recording across processes: a parent joining a child that waits forever is a hang naming both processes", async () => {
  const r = runJson("test/fixtures/processes/childHang.ts");
  assert.equal(r.status, 2, r.stderr);
  assert.deepEqual(
    r.report.findings.map((f) => ({
      kind: f.kind,
      threads: f.threads,
      locks: f.locks,
      sites: f.sites.map((s) => `${s.thread} ${s.role} ${s.line}`),
    })),
    [
      {
        kind: "hang",
        threads: ["main", "waiter"],
        locks: ["ready"],
        sites: [
          `main waits ${lineOf("childHang.ts", "waiter.join()")}`,
          `waiter waits ${lineOf("childHang.ts", "ready.wait()")}`,
        ],
      },
    ],
  );
  assert.match(r.report.findings[0]?.message ?? "", /main joins waiter, which is blocked too/);
  const child = Number(/started waiter pid (\d+)/.exec(r.stderr)?.[1]);
  assert.ok(child > 0, r.stderr);
  await ended(child);
});

test("cluster workers are processes: a deadlock between a worker's tasks names cluster-worker-1", async () => {
  const r = runJson("test/fixtures/processes/clusterDeadlock.ts");
  assert.equal(r.status, 2, r.stderr);
  const file = "test/fixtures/processes/clusterDeadlock.ts";
  const holds = lineOf("clusterDeadlock.ts", "await held.acquire()");
  const waits = lineOf("clusterDeadlock.ts", "await wanted.acquire()");
  assert.deepEqual(
    r.report.findings.map((f) => ({
      kind: f.kind,
      locks: [...f.locks].sort(),
      threads: [...f.threads].sort(),
      sites: f.sites.map((s) => `${s.thread} ${s.role} ${s.file}:${s.line}`).sort(),
    })),
    [
      {
        kind: "deadlock",
        locks: ["lockA", "lockB"],
        threads: ["cluster-worker-1/first", "cluster-worker-1/second"],
        sites: [
          `cluster-worker-1/first holds ${file}:${holds}`,
          `cluster-worker-1/first waits ${file}:${waits}`,
          `cluster-worker-1/second holds ${file}:${holds}`,
          `cluster-worker-1/second waits ${file}:${waits}`,
        ],
      },
    ],
  );
  const worker = Number(/forked pid (\d+)/.exec(r.stderr)?.[1]);
  assert.ok(worker > 0, r.stderr);
  await ended(worker);
});

test("cluster workers are processes: two workers that lock and exit are clean", () => {
  const r = runCli(path.join(fixtures, "clusterClean.ts"));
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.split("\n").sort(), [
    "",
    "worker exited 0, 1 of 2",
    "worker exited 0, 2 of 2",
  ]);
  assert.equal(r.stderr, "threadlens: no findings\n");
});

/** The deadlock of `main` and `peer` over lockA/lockB in `fixture` (both run `transfer`). */
function assertPeerDeadlock(r: JsonRun, fixture: string, held: string, wanted: string): void {
  assert.equal(r.status, 2, r.stderr);
  const file = `test/fixtures/processes/${fixture}`;
  const holds = lineOf(fixture, held);
  const waits = lineOf(fixture, wanted);
  assert.deepEqual(
    r.report.findings.map((f) => ({
      kind: f.kind,
      locks: [...f.locks].sort(),
      threads: [...f.threads].sort(),
      sites: f.sites.map((s) => `${s.thread} ${s.role} ${s.file}:${s.line}`).sort(),
    })),
    [
      {
        kind: "deadlock",
        locks: ["lockA", "lockB"],
        threads: ["main", "peer"],
        sites: [
          `main holds ${file}:${holds}`,
          `main waits ${file}:${waits}`,
          `peer holds ${file}:${holds}`,
          `peer waits ${file}:${waits}`,
        ],
      },
    ],
  );
  assert.deepEqual(
    r.report.threads.map((t) => `${t.name} ${t.kind} ${t.state} ${t.stack[0]?.line}`),
    [`main main blocked ${waits}`, `peer main blocked ${waits}`],
  );
}

test("primitives shared across processes: a lock-order deadlock between two processes is the run's deadlock (async)", async () => {
  const r = runJson("test/fixtures/processes/sharedDeadlock.ts");
  assertPeerDeadlock(r, "sharedDeadlock.ts", "await held.acquire()", "await wanted.acquire()");
  const peer = Number(/started peer pid (\d+)/.exec(r.stderr)?.[1]);
  assert.ok(peer > 0, r.stderr);
  await ended(peer);
});

test("primitives shared across processes: the Sync variants block the calling thread, in the child and in the owner", async () => {
  const r = runJson("test/fixtures/processes/sharedDeadlockSync.ts");
  assertPeerDeadlock(r, "sharedDeadlockSync.ts", "held.acquireSync()", "wanted.acquireSync()");
  const peer = Number(/started peer pid (\d+)/.exec(r.stderr)?.[1]);
  assert.ok(peer > 0, r.stderr);
  await ended(peer);
});

test("primitives shared across processes: producer/consumer over a Queue with sentinels, passed on to a grandchild, is clean", async () => {
  const r = runCli(path.join(fixtures, "sharedQueue.ts"));
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split("\n");
  const producer = Number(/^producer pid (\d+)$/.exec(lines[0] ?? "")?.[1]);
  const helper = Number(/^helper pid (\d+)$/.exec(lines[1] ?? "")?.[1]);
  assert.ok(producer > 0 && helper > 0, r.stdout);
  assert.deepEqual(lines.slice(2), [
    "joined producer: true, exitCode 0",
    "sum 55, locked true, left 0",
    "",
  ]);
  assert.equal(r.stderr, "threadlens: no findings\n");
  await ended(producer);
  await ended(helper);
});

test("primitives shared across processes: a child killed holding a lock leaves it held (lock-held-at-exit) and its waiter hangs", async () => {
  const r = runJson("test/fixtures/processes/sharedKilledHolder.ts");
  assert.equal(r.status, 2, r.stderr);
  assert.deepEqual(
    r.report.findings.map((f) => ({
      kind: f.kind,
      threads: f.threads,
      locks: f.locks,
      sites: f.sites.map((s) => `${s.thread} ${s.role} ${s.line}`),
    })),
    [
      {
        kind: "hang",
        threads: ["main"],
        locks: ["resource"],
        sites: [`main waits ${lineOf("sharedKilledHolder.ts", "await resource.acquire()", 1)}`],
      },
      {
        kind: "lock-held-at-exit",
        threads: ["holder"],
        locks: ["resource"],
        sites: [`holder holds ${lineOf("sharedKilledHolder.ts", "await resource.acquire()", 2)}`],
      },
    ],
  );
  assert.match(
    r.report.findings[0]?.message ?? "",
    /main waits for resource held by holder, which has exited/,
  );
  assert.deepEqual(
    r.report.threads.map((t) => `${t.name} ${t.state}`),
    ["main blocked", "holder exited"],
  );
  const holder = Number(/started holder pid (\d+)/.exec(r.stderr)?.[1]);
  assert.ok(holder > 0, r.stderr);
  assert.match(r.stderr, /holder exitCode -9/);
  // Killed, it never said it exited: the report says its recording was cut by its death.
  assert.deepEqual(r.report.cutProcesses, [{ name: "holder", pid: holder }]);
  await ended(holder);
});

test("primitives shared across processes: the child's API (async, Sync, timeouts, errors, its own thread), misuse recorded as the child's", () => {
  const r = runJson("test/fixtures/processes/sharedOps.ts");
  assert.equal(r.status, 1, r.stderr);
  assert.deepEqual(r.stderr.split("\n"), [
    "lock: acquire true, locked true, tryAcquire false",
    "lock: acquire({ timeout: 20 }) false",
    "lock: released, locked false; again: LockStateError: release of unlocked lock lock",
    "thread: acquireSync took lock, locked true",
    "rlock: re-entered true",
    "rlock: released twice, locked false",
    "slots: tryAcquire true, value 0",
    "slots: acquireSync({ timeout: 20 }) false",
    "slots: value 1; over-release: OverReleaseError: slots: BoundedSemaphore released too many times (limit 1)",
    "ready: isSet false, wait({ timeout: 20 }) false",
    "ready: waitSync true, isSet true",
    "box: full true, putNowait again: QueueFull: box is full (maxsize 1)",
    'box: get {"n":1}, getNowait: QueueEmpty: box is empty',
    "box: qsize 1, maxsize 1",
    "ranked: 1 2 3",
    "gate: index true, parties 2, broken false",
    "parent: join true, exitCode 0, gate true",
    'parent: lock false, rlock false, slots 1, ready true, box {"n":9}',
    "",
  ]);
  assert.deepEqual(
    r.report.findings.map((f) => ({
      kind: f.kind,
      threads: f.threads,
      locks: f.locks,
      sites: f.sites.map((s) => `${s.thread} ${s.role} ${s.line}`),
    })),
    [
      {
        kind: "bad-release",
        threads: ["user"],
        locks: ["lock"],
        sites: [`user misuse ${lineOf("sharedOps.ts", "failure(() => lock.release())")}`],
      },
      {
        kind: "over-release",
        threads: ["user"],
        locks: ["slots"],
        sites: [`user misuse ${lineOf("sharedOps.ts", "failure(() => slots.release())")}`],
      },
    ],
  );
  assert.deepEqual(
    r.report.threads.map((t) => `${t.name} ${t.kind} ${t.state}`),
    ["main main exited", "user main exited", "user/helper worker exited"],
  );
});

test("primitives shared across processes: a Pipe between processes ends in EOFError, a Condition is waited on and notified from both", () => {
  const r = runCli(path.join(fixtures, "sharedPipe.ts"));
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.split("\n"), [
    "talker got ping",
    "main got a b c, then EOFError",
    "talker: go true",
    "main: done true, joined true",
    "",
  ]);
  assert.equal(r.stderr, "threadlens: no findings\n");
});
