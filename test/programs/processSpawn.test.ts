// spawn/execFile of `process.execPath` (DESIGN 3.3, issue 15): the spawned node gets the
// program's preload (a TypeScript child runs, and is recorded as a process of the run whose
// findings are the run's); its output stays the program's to read. THREADLENS_CHILD_PRELOAD=0
// in a child's environment opts it out (fork and spawn alike), and in threadlens' own
// environment every child of the program (they inherit it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliRun, threadlensJson } from "./cliJson.ts";
import { ended, fixtureLine, printedPid } from "./processLife.ts";

const runCli = (file: string, env: NodeJS.ProcessEnv = {}) =>
  cliRun(["run", file], { env, killSignal: "SIGKILL" });

test("a node spawned on a TypeScript module gets the preload: its threads' deadlock is the run's", async () => {
  const r = threadlensJson("run", "test/fixtures/processes/spawnDeadlock.ts");
  assert.equal(r.status, 2, r.stderr);
  const child = "processes/plainForkChild.ts";
  const file = `test/fixtures/${child}`;
  const holds = fixtureLine(child, "held.acquireSync()");
  const waits = fixtureLine(child, "wanted.acquireSync()");
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
        threads: ["plainForkChild/first", "plainForkChild/second"],
        sites: [
          `plainForkChild/first holds ${file}:${holds}`,
          `plainForkChild/first waits ${file}:${waits}`,
          `plainForkChild/second holds ${file}:${holds}`,
          `plainForkChild/second waits ${file}:${waits}`,
        ],
      },
    ],
  );
  await ended(printedPid(r.stderr, "spawned"));
});

test("execFileSync, execFile and spawnSync of node: preloaded, output the program's; THREADLENS_CHILD_PRELOAD=0 opts a child out", () => {
  const r = runCli("test/fixtures/processes/spawnOutput.ts");
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.split("\n"), [
    "execFileSync: child sync ran its TypeScript",
    'execFile: child async ran its TypeScript, stderr ""',
    "spawnSync: preload true; opted out: preload false",
    "fork opted out: preload false",
    "",
  ]);
  // The children reported nothing of their own: one report, the run's.
  assert.equal(r.stderr, "threadlens: no findings\n");
});

test("THREADLENS_CHILD_PRELOAD=0 for threadlens: the program's children run as plain node", () => {
  const r = runCli("test/fixtures/processes/spawnOutput.ts", { THREADLENS_CHILD_PRELOAD: "0" });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout, "");
  // Plain node cannot read the TypeScript child.
  assert.match(r.stderr, /Command failed: .*spawnedChild\.ts sync/);
  assert.match(r.stderr, /SyntaxError: Missing initializer in const declaration/);
});
