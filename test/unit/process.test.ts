// Process (DESIGN 3.3) without starting children: argument checks, state errors, and the child's
// Node options (the programs tier runs real children: test/programs/processes.test.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ArgumentError, Lock, Process, RWLock, ThreadStateError, processArgs } from "threadlens";
import {
  childExecArgv,
  hasPreload,
  withoutPreload,
  workerExecArgv,
} from "../../src/runtime/process/childArgv.ts";

const child = new URL("../fixtures/processes/child.ts", import.meta.url);

test("childExecArgv: the parent's options minus its preload, test runner and inspector, then the preload", () => {
  assert.deepEqual(
    childExecArgv(
      [
        "--import",
        "./dist/register.mjs",
        "--test",
        "--test-concurrency=1",
        "--max-old-space-size=100",
        "--import=threadlens/register",
        "--inspect=9229",
        "--import",
        "./other-loader.mjs",
      ],
      "file:///x/dist/register.mjs",
    ),
    [
      "--max-old-space-size=100",
      "--import",
      "./other-loader.mjs",
      "--import",
      "file:///x/dist/register.mjs",
    ],
  );
});

test("the preload in any of its forms: --import, --require, -r, its CommonJS build", () => {
  const cjs = "/x/dist/register.cjs";
  for (const argv of [
    ["--import", "file:///x/dist/register.mjs"],
    ["--import=threadlens/register"],
    ["--require", cjs],
    ["-r", cjs],
    [`--require=${cjs}`],
  ]) {
    assert.equal(hasPreload(argv), true, argv.join(" "));
    assert.deepEqual(withoutPreload(["--no-warnings", ...argv, "--expose-gc"]), [
      "--no-warnings",
      "--expose-gc",
    ]);
  }
  assert.equal(hasPreload(["--require", "./other.cjs", "--import", "./register.js"]), false);
});

test("workerExecArgv: --require of the CommonJS build, only when the preload is alone", () => {
  const cjs = "/x/dist/register.cjs";
  assert.deepEqual(
    workerExecArgv(["--no-warnings", "--import", "file:///x/dist/register.mjs"], cjs),
    ["--no-warnings", "--require", cjs],
  );
  assert.deepEqual(workerExecArgv(["--import=threadlens/register"], cjs), ["--require", cjs]);
  // Not the preload's to change: no preload, or another loader or preload beside it.
  assert.equal(workerExecArgv(["--no-warnings"], cjs), undefined);
  for (const other of [
    ["--import", "tsx"],
    ["-r", "ts-node/register"],
    ["--loader=ts-node/esm"],
    ["--experimental-loader", "./l.mjs"],
  ])
    assert.equal(workerExecArgv([...other, "--import", "./dist/register.mjs"], cjs), undefined);
});

test("Process: bad options are refused with what is wrong", () => {
  assert.throws(() => new Process(child, { name: "" }), ArgumentError);
  assert.throws(
    () => new Process(child, { args: "x" as unknown as unknown[] }),
    /args must be an array, got "x"/,
  );
  assert.throws(
    () => new Process(child, { daemon: 1 as unknown as boolean }),
    /daemon must be a boolean, got 1/,
  );
  assert.throws(() => new Process(new URL("./nope.ts", child)), /module not found: .*nope\.ts/);
  // Shared memory cannot reach another process: said at once, not as a clone error later.
  // The primitives that can (Lock, Queue, ...) can be nested in args (processes.test.ts).
  assert.doesNotThrow(() => new Process(child, { args: [{ nested: [new Lock("l")] }] }));
  assert.doesNotThrow(() => new Process(child, { args: [{ nested: [new RWLock("rw")] }] }));
  assert.throws(
    () => new Process(child, { args: [{ shared: new SharedArrayBuffer(4) }] }),
    /a SharedArrayBuffer cannot be passed to a process \(shared across processes: Lock, RLock, RWLock, Condition, Semaphore, BoundedSemaphore, Event, Barrier, Queue, LifoQueue, PriorityQueue, Pipe connections; other shared memory stays in its process\)/,
  );
  assert.throws(
    () => new Process(child, { args: [new Int32Array(new SharedArrayBuffer(4))] }),
    /a view on a SharedArrayBuffer cannot be passed to a process/,
  );
  assert.throws(
    () => new Process(child, { args: [() => 1] }).start(),
    /process Process-\d+: args cannot be sent to a process: .*could not be cloned/,
  );
});

test("Process: join, terminate and kill before start, and a second start, are state errors", async () => {
  const p = new Process(child, { name: "unstarted" });
  await assert.rejects(p.join(), ThreadStateError);
  assert.throws(() => p.terminate(), /cannot terminate process unstarted before it is started/);
  assert.throws(() => p.kill(), ThreadStateError);
  assert.equal(String(p), "Process(unstarted, initial)");
  p.start();
  assert.throws(() => p.start(), /process unstarted can only be started once/);
  assert.equal(await p.join(), true);
  assert.equal(p.exitCode, 0);
  assert.equal(String(p), "Process(unstarted, stopped)");
});

test("processArgs: [] outside a Process's child", () => {
  assert.deepEqual(processArgs(), []);
});
