// A pool library's worker (tinypool's, piscina's) imports its task modules with import(). In a
// JavaScript program it starts without the module hooks' thread (half of a worker's start on
// Node 20) and loads what plain node loads; it starts them when its workerData names a module
// that needs them, in a program that loads TypeScript (its entry, or a module it required),
// and with
// THREADLENS_WORKER_IMPORT_HOOKS=1 (src/runtime/register.ts, importTargets.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cliEnv, cliJsonRun, root } from "./cliJson.ts";

const dir = "test/fixtures/preload/task-imports";

/** The worker's lines: one a task module, its result or its error code. */
const taskLines = (text: string): string[] => text.split("\n").filter((l) => l.startsWith("task."));

function threadlensRun(program: string, mode: string, env: NodeJS.ProcessEnv = {}): string[] {
  const { status, report, stderr } = cliJsonRun(["run", `${dir}/${program}`, "--", mode], { env });
  assert.equal(status, 0, stderr);
  assert.deepEqual(report.findings, []);
  assert.deepEqual(
    report.threads.map((t) => [t.name, t.kind, t.state]),
    [
      ["main", "main", "exited"],
      ["pool-loader.mjs", "worker", "exited"],
    ],
  );
  return taskLines(stderr);
}

test("a JavaScript program's pool worker loads its task modules as plain node does", () => {
  const plain = spawnSync(process.execPath, [`${dir}/main.mjs`, "message"], {
    cwd: root,
    env: cliEnv(),
    encoding: "utf8",
  });
  assert.equal(plain.status, 0, plain.stderr);
  const plainLines = taskLines(plain.stdout);
  if (process.versions.node.startsWith("20."))
    assert.deepEqual(plainLines, ["task.mjs: 4", "task.ts: ERR_UNKNOWN_FILE_EXTENSION"]);
  assert.equal(plainLines[0], "task.mjs: 4");
  assert.deepEqual(threadlensRun("main.mjs", "message"), plainLines);
});

test("a pool worker starts the module hooks for a TypeScript task module named in its workerData", () => {
  assert.deepEqual(threadlensRun("main.mjs", "data"), ["task.ts: 6", "task.mjs: 4", "task.ts: 6"]);
});

test("a TypeScript program's pool worker loads TypeScript task modules named at run time", () => {
  assert.deepEqual(threadlensRun("main.ts", "message"), ["task.mjs: 4", "task.ts: 6"]);
});

test("a JavaScript program that has required a TypeScript module: its pool worker loads them too", () => {
  assert.deepEqual(threadlensRun("main.mjs", "required"), ["task.mjs: 4", "task.ts: 6"]);
});

test("THREADLENS_WORKER_IMPORT_HOOKS=1: every worker that imports dynamically starts the hooks", () => {
  assert.deepEqual(threadlensRun("main.mjs", "message", { THREADLENS_WORKER_IMPORT_HOOKS: "1" }), [
    "task.mjs: 4",
    "task.ts: 6",
  ]);
});
