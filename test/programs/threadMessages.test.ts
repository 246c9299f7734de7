// Main and a plain Worker that talk over the worker's port, with nothing blocked (DESIGN 5.1,
// 5.6): waiting for each other's first message is a hang naming both threads where they listen;
// a fast ping-pong, whose short handlers leave both loops idle at almost every look, is clean
// (the messages are counted, so talking threads are never taken for idle).
import { test } from "node:test";
import assert from "node:assert/strict";
import { threadlensJson } from "./cliJson.ts";
import { fixtureLine } from "./processLife.ts";
import { assertSilentHang } from "./silentHang.ts";

test("main and a plain Worker each waiting for the other's first message: a hang naming both where they listen", () => {
  const main = "hangs/worker-silent.ts";
  const worker = "hangs/worker-silent-worker.ts";
  const r = threadlensJson("run", `test/fixtures/${main}`);
  assert.equal(r.status, 2, r.stderr);
  assertSilentHang(r.report, "thread", [
    { thread: "main", file: main, line: fixtureLine(main, 'await once(worker, "message")') },
    {
      thread: "worker-silent-worker.ts",
      file: worker,
      line: fixtureLine(worker, 'parentPort?.on("message"'),
    },
  ]);
});

test("main and a plain Worker ping-ponging for 1.5 s and 200 rounds: no finding", () => {
  const r = threadlensJson("run", "test/fixtures/hangs/worker-chatter.ts");
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.report.findings, []);
  assert.match(r.stderr, /^done after \d+ rounds$/m);
});
