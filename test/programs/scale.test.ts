// Scale (issue 12): many threads sharing nested locks, recorded. A correct program gives no
// finding and exit 0, however long the machine takes; and every recorded lock request is ended
// by its acquisition in the trace (a request left pending made a running thread look blocked
// for good: with every thread so, a false hang).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Report } from "../../src/protocol/report.ts";
import { cliRun } from "./cliJson.ts";

const threadlens = (...args: string[]) => cliRun(args, { timeoutMs: 600_000 });

test("64 threads taking two or three locks nested in one order: no finding, exit 0", () => {
  const threads = 64;
  const iterations = 60;
  const r = threadlens(
    "run",
    "--json",
    "test/fixtures/scale/nested-threads.ts",
    "--",
    String(threads),
    String(iterations),
  );
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  const report = JSON.parse(r.stdout) as Report;
  assert.deepEqual(report.findings, []);
  assert.equal(report.exitCode, 0);
  assert.equal(report.droppedEvents, 0);
  assert.match(r.stderr, new RegExp(`done: ${threads * iterations} of ${threads * iterations}`));
  const workers = report.threads.filter((t) => t.kind === "worker");
  assert.equal(workers.length, threads);
  assert.ok(workers.every((t) => t.state === "exited"));
});

test("a lock request recorded (a long wait) is ended by its acquisition, sync and async", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-scale-"));
  try {
    const trace = path.join(dir, "waited.tltrace");
    const r = threadlens("run", "test/fixtures/scale/waited-acquire.ts", "--trace", trace);
    assert.equal(r.status, 0, r.stderr);
    const lines = readFileSync(trace, "utf8").split("\n");
    const idents = new Map<string, string>();
    for (const line of lines) {
      const thread = /^thread (\d+) (\S+) /.exec(line);
      if (thread?.[1] !== undefined && thread[2] !== undefined) idents.set(thread[1], thread[2]);
    }
    for (const waiter of ["syncWaiter", "asyncWaiter"]) {
      const events = lines.flatMap((line) => {
        const event = /^[\d.]+ (acquire-request|acquired|release) thread=(\d+) /.exec(line);
        return event?.[1] !== undefined && idents.get(event[2] ?? "") === waiter ? [event[1]] : [];
      });
      assert.deepEqual(events, ["acquire-request", "acquired", "release"], waiter);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a Semaphore(1) contended by four threads, sync and async: exclusive, every pass, no finding", () => {
  const iterations = 20_000;
  const r = threadlens(
    "run",
    "--json",
    "test/fixtures/scale/semaphore-contended.ts",
    "--",
    String(iterations),
  );
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  const report = JSON.parse(r.stdout) as Report;
  assert.deepEqual(report.findings, []);
  assert.match(r.stderr, new RegExp(`passes ${4 * iterations} of ${4 * iterations}, value 1`));
});
