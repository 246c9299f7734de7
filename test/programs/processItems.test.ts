// Primitives inside queue items between processes (DESIGN 3.3, issue 15): a Lock put on a
// Queue shared with another process arrives there usable and with its identity (the owner's
// object for the whole run; one's own lock comes back as itself), so a cycle through locks
// that travelled in items is the run's deadlock, and correct code is clean. (Pool results:
// processPool.test.ts.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliRun, threadlensJson } from "./cliJson.ts";
import { ended, fixtureLine, printedPid } from "./processLife.ts";

test("Locks in queue items between processes: usable, one lock for both, back as itself; clean", async () => {
  const r = cliRun(["run", "test/fixtures/processes/queueLocks.ts"], { killSignal: "SIGKILL" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.split("\n"), [
    "peer: from main: shared acquired, locked true",
    "main: shared locked true, acquire while peer holds it false",
    "main: returned, the same lock true",
    "main: made by peer: made acquired, locked true",
    "",
  ]);
  assert.match(r.stderr, /threadlens: no findings\n$/);
  await ended(printedPid(r.stderr, "started peer"));
});

test("Locks that travelled in queue items, taken in opposite orders by two processes: the run's deadlock", async () => {
  const fixture = "processes/queueLockDeadlock.ts";
  const r = threadlensJson("run", `test/fixtures/${fixture}`);
  assert.equal(r.status, 2, r.stderr);
  const file = `test/fixtures/${fixture}`;
  const holds = fixtureLine(fixture, "await held.acquire()");
  const waits = fixtureLine(fixture, "await wanted.acquire()");
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
        locks: ["made", "shared"],
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
    /^deadlock: main holds shared and waits for made; peer holds made and waits for shared/,
  );
  await ended(printedPid(r.stderr, "started peer"));
});
