// A child process killed holding a semaphore unit of its parent (DESIGN 3.3): the unit is not
// given back, and the parent that waits for it hangs, naming the holder that exited (exit 2).
// The Lock variant (lock-held-at-exit as well) is in processes.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Report } from "../../src/protocol/report.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const fixture = "test/fixtures/processes/sharedKilledSlot.ts";

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

function lineOf(text: string, n = 1): number {
  const lines = readFileSync(path.join(root, fixture), "utf8").split("\n");
  const found = lines.flatMap((line, i) => (line.includes(text) ? [i + 1] : []))[n - 1];
  assert.ok(found !== undefined, `${text} not in ${fixture}`);
  return found;
}

test("primitives shared across processes: a child killed holding a semaphore unit leaves its waiter in a hang", async () => {
  const env = { ...process.env };
  delete env["NODE_TEST_CONTEXT"];
  delete env["NODE_OPTIONS"];
  const r = spawnSync(
    process.execPath,
    [path.join(root, "dist/cli.js"), "run", fixture, "--json"],
    {
      cwd: root,
      env,
      encoding: "utf8",
      timeout: 120_000,
      killSignal: "SIGKILL",
    },
  );
  assert.equal(r.status, 2, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  assert.deepEqual(
    report.findings.map((f) => ({
      kind: f.kind,
      threads: f.threads,
      locks: f.locks,
      sites: f.sites.map((s) => `${s.thread} ${s.role} ${s.line}`),
    })),
    [
      {
        kind: "hang",
        threads: ["main"],
        locks: ["slot"],
        sites: [`main waits ${lineOf("await slot.acquire()")}`],
      },
    ],
  );
  assert.match(
    report.findings[0]?.message ?? "",
    /main waits for slot held by holder, which has exited/,
  );
  assert.deepEqual(
    report.threads.map((t) => `${t.name} ${t.state} ${t.stack[0]?.line}`),
    [
      `main blocked ${lineOf("await slot.acquire()")}`,
      `holder exited ${lineOf("slot.acquireSync()")}`,
    ],
  );
  const holder = Number(/started holder pid (\d+)/.exec(r.stderr)?.[1]);
  assert.ok(holder > 0, r.stderr);
  assert.deepEqual(report.cutProcesses, [{ name: "holder", pid: holder }]);
  const start = performance.now();
  while (running(holder)) {
    if (performance.now() - start > 30_000) assert.fail(`process ${holder} is still running`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
});
