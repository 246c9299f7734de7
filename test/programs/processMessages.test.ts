// Plain child processes that talk over their IPC channel, with no Atomics and no threadlens
// import (DESIGN 3.3, issue 15): a fork whose parent and child each wait for the other's first
// message is a hang naming both processes with both stacks, and so it is without the join (both
// idle, listening); the same pair speaking in turn, or ping-ponging fast, or waiting for its user
// on standard input, is clean. A plain fork under the preload is a process of the run, and
// waiting for its 'exit' is a join.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import type { Report } from "../../src/protocol/report.ts";
import { cli, cliEnv, root, threadlensJson } from "./cliJson.ts";
import { assertSilentHang } from "./silentHang.ts";
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

test("a plain fork and its parent each waiting for the other's first message, no join: a hang naming both where they listen", async () => {
  const parent = "processes/messageSilent.ts";
  const child = "processes/messageSilentChild.ts";
  const r = threadlensJson("run", `test/fixtures/${parent}`);
  assert.equal(r.status, 2, r.stderr);
  assertSilentHang(r.report, "process", [
    { thread: "main", file: parent, line: fixtureLine(parent, 'await once(child, "message")') },
    {
      thread: "messageSilentChild",
      file: child,
      line: fixtureLine(child, 'process.once("message"'),
    },
  ]);
  await ended(printedPid(r.stderr, "forked"));
});

test("a parent and a plain fork ping-ponging for 1.5 s and 200 rounds: no finding (idle between messages is not a hang)", async () => {
  const r = threadlensJson("run", "test/fixtures/processes/messageChatter.ts");
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.report.findings, []);
  assert.match(r.stderr, /^done after \d+ rounds$/m);
  await ended(printedPid(r.stderr, "forked"));
});

test("a child reading its standard input while its parent waits for its message: no hang, however long the input takes", async () => {
  const fixture = "test/fixtures/processes/messageStdin.ts";
  const run = spawn(process.execPath, [cli, "run", fixture, "--json"], {
    cwd: root,
    env: cliEnv(),
  });
  let stdout = "";
  let stderr = "";
  run.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  run.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    // The parent has waited a second (far past the hang analysis' stability window): only now
    // does the user answer.
    if (stderr.includes("waited a second") && run.stdin.writable) run.stdin.end("hello\n");
  });
  const [status] = (await once(run, "exit")) as [number | null];
  assert.equal(status, 0, stderr);
  assert.match(stderr, /the child read hello/);
  assert.deepEqual((JSON.parse(stdout) as Report).findings, []);
  await ended(printedPid(stderr, "forked"));
});
