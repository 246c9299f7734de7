// Plain child processes that talk over their IPC channel, with no Atomics and no threadlens
// import (DESIGN 3.3, issue 15): a fork whose parent and child each wait for the other's first
// message is a hang naming both processes with both stacks; the same pair speaking in turn is
// clean. A plain fork under the preload is a process of the run, and waiting for its 'exit' is
// a join.
import { test } from "node:test";
import assert from "node:assert/strict";
import { threadlensJson } from "./cliJson.ts";
import { ended, fixtureLine, printedPid } from "./processLife.ts";

const PARENT = "processes/messageDeadlock.ts";
const CHILD = "processes/messageDeadlockChild.ts";

test("a plain fork and its parent waiting for each other's first message: a hang with both processes' stacks", async () => {
  const r = threadlensJson("run", `test/fixtures/${PARENT}`);
  assert.equal(r.status, 2, r.stderr);
  const joins = fixtureLine(PARENT, 'await once(child, "exit")');
  const listens = fixtureLine(CHILD, 'process.once("message"');
  assert.deepEqual(
    r.report.findings.map((f) => ({
      kind: f.kind,
      threads: f.threads,
      locks: f.locks,
      sites: f.sites.map((s) => `${s.thread} ${s.role} ${s.file}:${s.line}`),
    })),
    [
      {
        kind: "hang",
        threads: ["main", "messageDeadlockChild"],
        locks: [],
        sites: [
          `main waits test/fixtures/${PARENT}:${joins}`,
          `messageDeadlockChild waits test/fixtures/${CHILD}:${listens}`,
        ],
      },
    ],
  );
  assert.equal(
    r.report.findings[0]?.message,
    "hang: every thread is blocked and none can wake the others: main joins " +
      "messageDeadlockChild, which is blocked too; messageDeadlockChild is idle and can only " +
      `be woken by a message (it listens at test/fixtures/${CHILD}:${listens}), which no ` +
      "running thread can send",
  );
  // Both processes' stacks: the parent blocked at its wait for the exit, the child where it
  // listens for the message that never comes.
  const stacks = new Map(
    r.report.threads.map((t) => [t.name, `${t.state} ${t.stack[0]?.file}:${t.stack[0]?.line}`]),
  );
  assert.equal(stacks.get("main"), `blocked test/fixtures/${PARENT}:${joins}`);
  assert.equal(stacks.get("messageDeadlockChild"), `running test/fixtures/${CHILD}:${listens}`);
  await ended(printedPid(r.stderr, "forked"));
});

test("a plain fork and its parent speaking in turn: no finding, both processes ended", async () => {
  const r = threadlensJson("run", "test/fixtures/processes/messageClean.ts");
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.report.findings, []);
  // The child exited: its recording is whole.
  assert.equal(r.report.cutProcesses, undefined);
  assert.deepEqual(
    r.report.threads.map((t) => [t.name, t.state]),
    [
      ["main", "exited"],
      ["messageDeadlockChild", "exited"],
    ],
  );
  await ended(printedPid(r.stderr, "forked"));
});
