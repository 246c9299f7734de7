// RWLock across processes (DESIGN 3.3, issue 15): one lock for the owner and the child it is
// passed to (read holds shared across them, a writer kept out by another process's reader,
// readers counted across processes), recorded as each process's threads' holds, read holds
// shared: a cycle between two processes through RWLocks is the run's deadlock.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliRun, threadlensJson } from "./cliJson.ts";
import { ended, fixtureLine, printedPid } from "./processLife.ts";

test("an RWLock in a Process's args: reads shared across processes, a write waits for the other's read; clean", async () => {
  const r = cliRun(["run", "test/fixtures/processes/rwShared.ts"], { killSignal: "SIGKILL" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.split("\n"), [
    "reader: read true, readers 2",
    "reader: write while the parent reads false",
    "parent: readers 1, writeLocked false",
    "reader: write true, readers 0",
    "parent: joined, exitCode 0, readers 0",
    "",
  ]);
  assert.match(r.stderr, /threadlens: no findings\n$/);
  await ended(printedPid(r.stderr, "started reader"));
});

test("RWLocks taken in opposite orders by two processes (write, then read): the run's deadlock", async () => {
  const fixture = "processes/rwDeadlock.ts";
  const r = threadlensJson("run", `test/fixtures/${fixture}`);
  assert.equal(r.status, 2, r.stderr);
  const file = `test/fixtures/${fixture}`;
  const holds = fixtureLine(fixture, "await held.acquireWrite()");
  const waits = fixtureLine(fixture, "await wanted.acquireRead()");
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
        locks: ["rwA", "rwB"],
        threads: ["main", "peer"],
        sites: [
          `main holds ${file}:${holds}`,
          `main waits ${file}:${waits}`,
          `peer holds ${file}:${holds}`,
          `peer waits ${file}:${waits}`,
        ],
      },
    ],
  );
  assert.match(
    r.report.findings[0]?.message ?? "",
    /^deadlock: main holds rwA and waits for rwB; peer holds rwB and waits for rwA \(cycle rwA → rwB → rwA\)/,
  );
  assert.deepEqual(
    r.report.threads.map((t) => `${t.name} ${t.state} ${t.stack[0]?.line}`),
    [`main blocked ${waits}`, `peer blocked ${waits}`],
  );
  await ended(printedPid(r.stderr, "started peer"));
});
