// Programs that never import threadlens, under `threadlens run` (DESIGN 3.2, SCENARIOS S14):
// worker_threads, hand-written Atomics mutexes, async-mutex (ES module and CommonJS builds),
// Promise.all branches as logical threads, waits the event loop would drop, and programs that
// use none of these (no finding, same output).
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { Finding, Report } from "../../src/protocol/report.ts";
import { lineIn } from "./sourceLines.ts";
import { cliJsonRun, cliJsonRunAsync, preloadRunAsync, type JsonRun } from "./cliJson.ts";

const fixtures = "test/fixtures/instrument";

const runJson = (fixture: string): JsonRun => cliJsonRun(["run", `${fixtures}/${fixture}`]);

/** clean-pool.ts's one `threadlens run`, which two tests read (its output, its threads). */
let cleanPoolRun: JsonRun | undefined;
const cleanPool = (): JsonRun => (cleanPoolRun ??= runJson("clean-pool.ts"));

/** 1-based line of the `n`th line of `fixture` containing `text`. */
const lineOf = (fixture: string, text: string, n = 1): number =>
  lineIn(path.join(fixtures, fixture), text, n);

function only(report: Report, kind: Finding["kind"]): Finding {
  const found = report.findings.filter((f) => f.kind === kind);
  assert.equal(found.length, 1, JSON.stringify(report.findings, null, 2));
  return found[0] as Finding;
}

/**
 * The run of `fixture` ends in exactly one `hang` (exit 2) over `threads`, whose message
 * matches `message` and whose sites are main's wait at the line containing `mainWait`, then
 * `more` ([thread, line, role]).
 */
function expectMainHang(
  fixture: string,
  threads: string[],
  message: RegExp,
  mainWait: string,
  more: [string, number, string][] = [],
) {
  const { status, report } = runJson(fixture);
  assert.equal(status, 2);
  const hang = only(report, "hang");
  assert.deepEqual(hang.threads, threads);
  assert.match(hang.message, message);
  assert.deepEqual(
    hang.sites.map((s) => [s.thread, s.line, s.role]),
    [["main", lineOf(fixture, mainWait), "waits"], ...more],
  );
}

test("S14: two workers with hand-written Atomics mutexes in opposite order are a hang", () => {
  const { report } = runJson("s14-atomics.ts");
  const hang = only(report, "hang");
  assert.deepEqual(hang.threads, ["main", "one", "two"]);
  assert.match(hang.message, /main joins two/);
  assert.match(hang.message, /one waits in Atomics\.wait on Int32Array\[1\]/);
  assert.match(hang.message, /two waits in Atomics\.wait on Int32Array\[0\]/);
  const waitLine = lineOf("s14-atomics-worker.ts", "Atomics.wait(words, index, 1)");
  // main's join is where it awaits the workers' 'exit'.
  const joinLine = lineOf("s14-atomics.ts", 'once(two, "exit")');
  assert.deepEqual(
    hang.sites.map((s) => [s.thread, s.line, s.role]),
    [
      ["main", joinLine, "waits"],
      ["one", waitLine, "waits"],
      ["two", waitLine, "waits"],
    ],
  );
});

test("a hand-written Atomics handshake that ends with each worker waiting on the other names the mutual wait", () => {
  const { status, report } = runJson("atomics-handshake.ts");
  assert.equal(status, 2);
  const hang = only(report, "hang");
  assert.deepEqual(hang.threads, ["main", "client", "server"]);
  const worker = "atomics-handshake-worker.ts";
  const clientLine = lineOf(worker, "Atomics.wait(words, REPLY, 0)");
  const serverLine = lineOf(worker, "Atomics.wait(words, REQUEST, last)");
  // Each address is one object in both threads (the buffer came through workerData), named by
  // where it is in workerData, not by whichever thread happened to use it first.
  const reply = "Int32Array[1] of workerData.words";
  const request = "Int32Array[0] of workerData.words";
  assert.equal(
    hang.message,
    "hang: every thread is blocked and none can wake the others: " +
      "main joins server, which is blocked too; " +
      "client and server wait for each other: " +
      `client waits in Atomics.wait on ${reply}, which only server has notified, ` +
      `and did so after returning from the wait on ${request} it is in now, ` +
      `and server waits in Atomics.wait on ${request}, which only client has notified, ` +
      `and did so after returning from the wait on ${reply} it is in now`,
  );
  assert.deepEqual(hang.locks, [reply, request]);
  assert.deepEqual(
    hang.sites.map((s) => [s.thread, s.line, s.role]),
    [
      ["main", lineOf("atomics-handshake.ts", 'once(server, "exit")'), "waits"],
      ["client", clientLine, "waits"],
      ["server", serverLine, "waits"],
    ],
  );
});

test("S14: async-mutex bank transfer in two Promise.all branches is a deadlock", () => {
  const fixture = "s14-async-mutex.ts";
  const { report } = runJson(fixture);
  const deadlock = only(report, "deadlock");
  const branch = (i: number): string => `main/Promise.all[${i}]@${fixture}:17`;
  assert.deepEqual(deadlock.threads, [branch(0), branch(1)]);
  assert.deepEqual([...deadlock.locks].sort(), ["accountA", "accountB"]);
  const holds = lineOf(fixture, "await from.acquire()");
  const waits = lineOf(fixture, "await to.acquire()");
  assert.deepEqual(
    deadlock.sites.map((s) => [s.thread, s.line, s.role]),
    [
      [branch(0), holds, "holds"],
      [branch(0), waits, "waits"],
      [branch(1), holds, "holds"],
      [branch(1), waits, "waits"],
    ],
  );
});

test("async-mutex inversion without a deadlock (CommonJS build) is a potential deadlock", () => {
  const fixture = "async-mutex-inversion.ts";
  const { report } = runJson(fixture);
  assert.equal(report.exitCode, 0);
  const potential = only(report, "potential-deadlock");
  assert.deepEqual([...potential.locks].sort(), ["first", "second"]);
  assert.equal(potential.threads.length, 2);
  assert.ok(potential.threads.every((t) => t.startsWith("main/Promise.all[")));
  assert.equal(report.findings.length, 1);
});

test("a lock wait the event loop would drop silently is reported", () => {
  const fixture = "stuck-await.ts";
  const { report } = runJson(fixture);
  const found = only(report, "self-deadlock");
  assert.deepEqual(
    found.sites.map((s) => [s.line, s.role]),
    [
      [lineOf(fixture, "await gate.acquire();"), "holds"],
      [lineOf(fixture, "await gate.acquire();", 2), "waits"],
    ],
  );
});

for (const [fixture, output] of [
  ["clean-pool.ts", "squares 1,4,9,16"],
  ["http-once.ts", "got hello"],
] as const) {
  test(`${fixture}: no finding, the same output`, async () => {
    // The baseline (the same preload with recording, hence instrumentation, off) runs beside
    // the recorded run: http-once.ts ends only when fetch's idle keep-alive connection closes,
    // about 3 s of waiting in each.
    const [plain, { status, report, stderr }] = await Promise.all([
      preloadRunAsync(`${fixtures}/${fixture}`, [], { env: { THREADLENS_RECORD: "0" } }),
      fixture === "clean-pool.ts"
        ? cleanPool()
        : cliJsonRunAsync(["run", `${fixtures}/${fixture}`]),
    ]);
    assert.equal(status, 0);
    assert.deepEqual(report.findings, []);
    assert.match(stderr, new RegExp(output));
    assert.equal(plain.stdout.trim(), output);
  });
}

test("plain workers are named, started by main and joined through once(worker, 'exit')", () => {
  const { report } = cleanPool();
  const names = report.threads.map((t) => t.name);
  assert.deepEqual(names, ["main", ...Array<string>(4).fill("clean-pool-worker.ts")]);
});

test("a worker that ends with only an Atomics.waitAsync pending is a hang of that worker", () => {
  const { status, report } = runJson("wait-async-drained.ts");
  assert.equal(status, 2);
  const hang = only(report, "hang");
  assert.deepEqual(hang.threads, ["waiter"]);
  assert.match(hang.message, /^hang: waiter ended with waits pending, because its event loop/);
  assert.match(hang.message, /waiter waits in Atomics\.waitAsync on Int32Array\[0\]/);
  const worker = "wait-async-drained-worker.ts";
  assert.deepEqual(
    hang.sites.map((s) => [s.file, s.thread, s.line, s.role]),
    [
      [
        `${fixtures}/${worker}`,
        "waiter",
        lineOf(worker, "Atomics.waitAsync(words, 0, 0)"),
        "waits",
      ],
    ],
  );
});

test("main's Atomics.waitAsync with nothing else in its event loop is a hang, not a silent exit", () =>
  expectMainHang(
    "wait-async-main.ts",
    ["main"],
    /main waits in Atomics\.waitAsync on Int32Array\[0\]@wait-async-main\.ts:\d+, which no live thread can notify, with nothing else left in its event loop/,
    "Atomics.waitAsync(words, 0, 0)",
  ));

test("main blocked in Atomics.wait on a worker that waits for main's answer is a hang", () =>
  expectMainHang(
    "main-wait-handshake.ts",
    ["main", "helper"],
    /^hang: main blocks in Atomics\.wait while helper can only go on when main's event loop runs: main waits in Atomics\.wait on Int32Array\[0\] of workerData, which no live thread can notify; helper is idle and can only be woken by a message \(it listens at test\/fixtures\/instrument\/main-wait-handshake-worker\.ts:6\), which main cannot send/,
    "Atomics.wait(words, 0, 0)",
    // Where the idle helper listens for the message main cannot send.
    [["helper", lineOf("main-wait-handshake-worker.ts", 'parentPort?.once("message"'), "waits"]],
  ));

test("main blocked in Atomics.wait on a worker only its timer would start is a hang", () =>
  expectMainHang(
    "main-wait-timer-worker.ts",
    ["main"],
    /^hang: main blocks in Atomics\.wait with no thread left to notify it, and what its event loop would run \(a timer, a message handler, a worker start\) cannot run while it blocks/,
    "Atomics.wait(words, 0, 0)",
  ));
