// DESIGN 3.1: the branches of Promise.all/allSettled (no spawn) are logical threads for every
// threadlens primitive, as for async-mutex. Two branches taking two locks in opposite order are
// a deadlock (or a potential deadlock) between two branches, never one thread's self-deadlock;
// no suggestion removes mutual exclusion between them (no RLock), and `threadlens run` and
// `threadlens check` agree on the same file.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { Finding, Report } from "../../src/protocol/report.ts";
import { lineIn } from "./sourceLines.ts";
import { cliJsonRun, type JsonRun } from "./cliJson.ts";

const fixtures = "test/fixtures/precision";

const cliJson = (command: "run" | "check", fixture: string): JsonRun =>
  cliJsonRun([command, `${fixtures}/${fixture}`]);

/** 1-based line of the `n`th line of `fixture` containing `text`. */
const lineOf = (fixture: string, text: string, n = 1): number =>
  lineIn(path.join(fixtures, fixture), text, n);

function only(report: Report): Finding {
  assert.equal(report.findings.length, 1, JSON.stringify(report.findings, null, 2));
  return report.findings[0] as Finding;
}

/** The branch threads of the combinator call at `line` of `fixture`. */
function branches(fixture: string, combinator: string, line: number): [string, string] {
  const at = `@${fixture}:${line}`;
  return [`main/Promise.${combinator}[0]${at}`, `main/Promise.${combinator}[1]${at}`];
}

function noRLock(finding: Finding): void {
  assert.equal(
    finding.suggestions.some((s) => s.kind === "use-rlock"),
    false,
    JSON.stringify(finding.suggestions, null, 2),
  );
}

test("two Promise.all branches taking two Locks in opposite order deadlock between two branches", () => {
  const fixture = "branches-inversion.ts";
  const { status, report } = cliJson("run", fixture);
  assert.equal(status, 2);
  const deadlock = only(report);
  assert.equal(deadlock.kind, "deadlock");
  assert.deepEqual(deadlock.locks, ["accounts", "audit"]);
  const [debit, audit] = branches(fixture, "all", lineOf(fixture, "await Promise.all"));
  assert.deepEqual(deadlock.threads, [debit, audit]);
  assert.deepEqual(
    deadlock.sites.map((s) => [s.thread, s.line, s.role, s.lock]),
    [
      [debit, lineOf(fixture, "await accounts.acquire()"), "holds", "accounts"],
      [debit, lineOf(fixture, "await audit.acquire()"), "waits", "audit"],
      [audit, lineOf(fixture, "await audit.acquire()", 2), "holds", "audit"],
      [audit, lineOf(fixture, "await accounts.acquire()", 2), "waits", "accounts"],
    ],
  );
  assert.deepEqual(
    deadlock.suggestions.map((s) => s.kind),
    ["global-order", "acquire-all", "add-timeout"],
  );
  noRLock(deadlock);
});

test("the same branches not colliding in this run: a potential deadlock between them, as check says", () => {
  const fixture = "branches-potential.ts";
  const { status, report } = cliJson("run", fixture);
  assert.equal(status, 1);
  const potential = only(report);
  assert.equal(potential.kind, "potential-deadlock");
  assert.deepEqual(potential.locks, ["accounts", "audit"]);
  const [debit, audit] = branches(fixture, "all", lineOf(fixture, "await Promise.all"));
  assert.deepEqual(potential.threads, [debit, audit]);
  const expected = [
    [lineOf(fixture, "await accounts.acquire()"), "held"],
    [lineOf(fixture, "await audit.acquire()"), "acquires"],
    [lineOf(fixture, "await audit.acquire()", 2), "held"],
    [lineOf(fixture, "await accounts.acquire()", 2), "acquires"],
  ];
  assert.deepEqual(
    potential.sites.map((s) => [s.line, s.role]),
    expected,
  );
  assert.deepEqual(
    potential.sites.map((s) => s.thread),
    [debit, debit, audit, audit],
  );
  noRLock(potential);
  // `threadlens check` on the same file: the same kind, locks and lines.
  const checked = cliJson("check", fixture);
  assert.equal(checked.status, 1);
  const found = only(checked.report);
  assert.equal(found.kind, "potential-deadlock");
  assert.deepEqual(found.locks, ["accounts", "audit"]);
  assert.deepEqual(
    found.sites.map((s) => [s.line, s.role]),
    expected,
  );
  noRLock(found);
});

test("RWLock write holds in two Promise.allSettled branches: a deadlock between the branches", () => {
  const fixture = "branches-rwlock.ts";
  const { status, report } = cliJson("run", fixture);
  assert.equal(status, 2);
  const deadlock = only(report);
  assert.equal(deadlock.kind, "deadlock");
  assert.deepEqual(deadlock.locks, ["ledger", "index"]);
  const [first, second] = branches(fixture, "allSettled", lineOf(fixture, "Promise.allSettled"));
  assert.deepEqual(deadlock.threads, [first, second]);
  const holds = lineOf(fixture, "await first.acquireWrite()");
  const waits = lineOf(fixture, "await second.acquireWrite()");
  assert.deepEqual(
    deadlock.sites.map((s) => [s.thread, s.line, s.role]),
    [
      [first, holds, "holds"],
      [first, waits, "waits"],
      [second, holds, "holds"],
      [second, waits, "waits"],
    ],
  );
  noRLock(deadlock);
  // acquireAll takes Locks and RLocks only: not offered for RWLocks.
  assert.equal(
    deadlock.suggestions.some((s) => s.kind === "acquire-all"),
    false,
  );
});

test("one-unit Semaphores in two Promise.all branches: a deadlock between the branches", () => {
  const fixture = "branches-semaphore.ts";
  const { status, report } = cliJson("run", fixture);
  assert.equal(status, 2);
  const deadlock = only(report);
  assert.equal(deadlock.kind, "deadlock");
  assert.deepEqual(deadlock.locks, ["slots", "tokens"]);
  const [upload, refresh] = branches(fixture, "all", lineOf(fixture, "await Promise.all"));
  assert.deepEqual(deadlock.threads, [upload, refresh]);
  assert.deepEqual(
    deadlock.sites.map((s) => [s.thread, s.line, s.role]),
    [
      [upload, lineOf(fixture, "await tokens.acquire()"), "waits"],
      [refresh, lineOf(fixture, "await slots.acquire()", 2), "waits"],
    ],
  );
  assert.deepEqual(
    deadlock.suggestions.map((s) => s.kind),
    ["global-order", "add-timeout"],
  );
});

test("a branch taking a Lock it holds is that branch's self-deadlock, with no RLock fix", () => {
  const fixture = "branches-reentry.ts";
  const { status, report } = cliJson("run", fixture);
  assert.equal(status, 2);
  const self = only(report);
  assert.equal(self.kind, "self-deadlock");
  assert.deepEqual(self.locks, ["cache"]);
  const [refill] = branches(fixture, "all", lineOf(fixture, "await Promise.all"));
  assert.deepEqual(self.threads, [refill]);
  assert.deepEqual(
    self.sites.map((s) => [s.thread, s.line, s.role]),
    [
      [refill, lineOf(fixture, "await cache.acquire()"), "holds"],
      [refill, lineOf(fixture, "await cache.acquire()", 2), "waits"],
    ],
  );
  assert.deepEqual(
    self.suggestions.map((s) => s.kind),
    ["add-timeout"],
  );
});

test("a spawned task's contended async acquire is recorded: main holding the lock and joining it is a deadlock", () => {
  const fixture = "task-wait.ts";
  const { status, report } = cliJson("run", fixture);
  assert.equal(status, 2);
  const deadlock = only(report);
  assert.equal(deadlock.kind, "deadlock");
  assert.deepEqual(deadlock.locks, ["held"]);
  assert.deepEqual(deadlock.threads, ["main", "taker"]);
  assert.deepEqual(
    deadlock.sites.map((s) => [s.thread, s.line, s.role]),
    [
      ["main", lineOf(fixture, "await held.acquire()"), "holds"],
      ["main", lineOf(fixture, "await task.join()"), "waits"],
      ["taker", lineOf(fixture, "await held.acquire()", 2), "waits"],
    ],
  );
});
