// A child process killed holding a semaphore unit of its parent (DESIGN 3.3): the unit is not
// given back, and the parent that waits for it hangs, naming the holder that exited (exit 2).
// The Lock variant (lock-held-at-exit as well) is in processes.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliJsonRun } from "./cliJson.ts";
import { ended, fixtureLine, printedPid } from "./processLife.ts";

const fixture = "test/fixtures/processes/sharedKilledSlot.ts";
const lineOf = (text: string): number => fixtureLine("processes/sharedKilledSlot.ts", text);

test("primitives shared across processes: a child killed holding a semaphore unit leaves its waiter in a hang", async () => {
  const { status, report, stderr } = cliJsonRun(["run", fixture], { killSignal: "SIGKILL" });
  assert.equal(status, 2, stderr);
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
  const holder = printedPid(stderr, "started holder");
  assert.deepEqual(report.cutProcesses, [{ name: "holder", pid: holder }]);
  await ended(holder);
});
