// Processes (DESIGN 3.3): Process over child_process.fork under the preload, each fixture of
// test/fixtures/processes run through the real CLI (dist/cli.js) as a user would run it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const fixtures = path.join(root, "test/fixtures/processes");
const cli = path.join(root, "dist/cli.js");

function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env["NODE_TEST_CONTEXT"];
  delete env["NODE_OPTIONS"];
  return env;
}

function runCli(file: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, "run", file], {
    cwd: root,
    env: cleanEnv(),
    encoding: "utf8",
    timeout: 120_000,
    killSignal: "SIGKILL",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Whether `pid` is a running process (a zombie waiting for its reaper counts as ended). */
function running(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    // The state follows the command in parentheses, which may itself contain spaces.
    const text = readFileSync(stat, "utf8");
    return text.slice(text.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Resolves once `pid` has ended; fails after `limitMs` (a stuck process, not a slow one). */
async function ended(pid: number, limitMs = 30_000): Promise<void> {
  const start = performance.now();
  while (running(pid)) {
    if (performance.now() - start > limitMs) assert.fail(`process ${pid} is still running`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

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
    env: cleanEnv(),
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
