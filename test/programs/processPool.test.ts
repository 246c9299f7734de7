// Pool({ processes: true }) (DESIGN 3.3): a Pool whose workers are child processes, through the
// real CLI: apply, applyAsync with its callback, map, a failing task, a Lock in a task's args,
// close() then join() (clean), and join() before close() (pool-misuse). No worker is left.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Report } from "../../src/protocol/report.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const fixture = "test/fixtures/processes/poolProcesses.ts";
const cli = path.join(root, "dist/cli.js");

function run(...extra: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env["NODE_TEST_CONTEXT"];
  delete env["NODE_OPTIONS"];
  const r = spawnSync(process.execPath, [cli, "run", fixture, ...extra], {
    cwd: root,
    env,
    encoding: "utf8",
    timeout: 120_000,
    killSignal: "SIGKILL",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Whether `pid` is a running process (a zombie counts as ended). */
function running(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    const text = readFileSync(stat, "utf8");
    return text.slice(text.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function ended(pid: number, limitMs = 30_000): Promise<void> {
  const start = performance.now();
  while (running(pid)) {
    if (performance.now() - start > limitMs) assert.fail(`process ${pid} is still running`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test("Pool({ processes: true }): apply, applyAsync, map, errors and primitives in args, close and join; clean", async () => {
  const r = run();
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.split("\n"), [
    "apply: 49",
    "applyAsync: 9, callback got 9",
    "map: 1,4,9,16",
    "worker processes: true",
    "with a lock: total held: true, n 5",
    "a lock as a result: the same true",
    "a lock made by a task: made, locked true",
    "failure: PoolTaskError, cause RangeError: no",
    "closed and joined",
    "",
  ]);
  const [pidLine, ...rest] = r.stderr.split("\n");
  const pids = (/^worker pids ([\d ]+)$/.exec(pidLine ?? "")?.[1] ?? "").split(" ").map(Number);
  assert.ok(pids.length >= 1 && pids.every((pid) => pid > 0), r.stderr);
  assert.deepEqual(rest, ["threadlens: no findings", ""]);
  for (const pid of pids) await ended(pid);
});

test("Pool({ processes: true }): join() before close() is a pool-misuse at its site", () => {
  const r = run("--json", "--", "misuse");
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stderr, "join before close: ThreadStateError\n");
  const report = JSON.parse(r.stdout) as Report;
  const line =
    readFileSync(path.join(root, fixture), "utf8")
      .split("\n")
      .findIndex((l) => l.includes("await pool.join();")) + 1;
  assert.deepEqual(
    report.findings.map((f) => ({
      kind: f.kind,
      threads: f.threads,
      sites: f.sites.map((s) => `${s.thread} ${s.role} ${s.file}:${s.line}`),
    })),
    [{ kind: "pool-misuse", threads: ["main"], sites: [`main misuse ${fixture}:${line}`] }],
  );
});
