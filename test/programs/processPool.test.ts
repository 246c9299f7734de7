// Pool({ processes: true }) (DESIGN 3.3): a Pool whose workers are child processes, through the
// real CLI: apply, applyAsync with its callback, map, a failing task, a Lock in a task's args,
// close() then join() (clean), and join() before close() (pool-misuse). No worker is left.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Report } from "../../src/protocol/report.ts";
import { cliRun, type CliRun } from "./cliJson.ts";
import { lineIn } from "./sourceLines.ts";
import { ended } from "./processLife.ts";

const fixture = "test/fixtures/processes/poolProcesses.ts";

const run = (...extra: string[]): CliRun =>
  cliRun(["run", fixture, ...extra], { killSignal: "SIGKILL" });

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
  const line = lineIn(fixture, "await pool.join();");
  assert.deepEqual(
    report.findings.map((f) => ({
      kind: f.kind,
      threads: f.threads,
      sites: f.sites.map((s) => `${s.thread} ${s.role} ${s.file}:${s.line}`),
    })),
    [{ kind: "pool-misuse", threads: ["main"], sites: [`main misuse ${fixture}:${line}`] }],
  );
});
