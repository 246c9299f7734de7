// Main and a plain Worker that talk over the worker's port, with nothing blocked (DESIGN 5.1,
// 5.6): waiting for each other's first message is a hang naming both threads where they listen;
// a fast ping-pong, whose short handlers leave both loops idle at almost every look, is clean
// (the messages are counted, so talking threads are never taken for idle).
import { test } from "node:test";
import assert from "node:assert/strict";
import { threadlensJson } from "./cliJson.ts";
import { fixtureLine } from "./processLife.ts";

test("main and a plain Worker each waiting for the other's first message: a hang naming both where they listen", () => {
  const main = "hangs/worker-silent.ts";
  const worker = "hangs/worker-silent-worker.ts";
  const r = threadlensJson("run", `test/fixtures/${main}`);
  assert.equal(r.status, 2, r.stderr);
  const mainListens = fixtureLine(main, 'await once(worker, "message")');
  const workerListens = fixtureLine(worker, 'parentPort?.on("message"');
  const [finding, ...others] = r.report.findings;
  assert.deepEqual(others, []);
  assert.equal(finding?.kind, "hang");
  assert.deepEqual(finding.threads, ["main", "worker-silent-worker.ts"]);
  assert.deepEqual(
    finding.sites.map((s) => `${s.thread} ${s.role} ${s.file}:${s.line}`),
    [
      `main waits test/fixtures/${main}:${mainListens}`,
      `worker-silent-worker.ts waits test/fixtures/${worker}:${workerListens}`,
    ],
  );
  assert.equal(
    finding.message,
    "hang: every thread waits for a message and none is running to send one: " +
      "main is idle and can only be woken by a message " +
      `(it listens at test/fixtures/${main}:${mainListens}), which no running thread can send; ` +
      "worker-silent-worker.ts is idle and can only be woken by a message " +
      `(it listens at test/fixtures/${worker}:${workerListens}), which no running thread can send`,
  );
  assert.deepEqual(
    finding.suggestions.map((s) => [s.kind, s.edit]),
    [["add-timeout", undefined]],
  );
  assert.match(
    finding.suggestions[0]?.message ?? "",
    new RegExp(
      `let one side speak first \\(for example, send before the wait in test/fixtures/${main}:${mainListens}\\)`,
    ),
  );
});

test("main and a plain Worker ping-ponging fast for 1.5 s: no finding", () => {
  const r = threadlensJson("run", "test/fixtures/hangs/worker-chatter.ts");
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.report.findings, []);
  assert.match(r.stderr, /many rounds/);
});
