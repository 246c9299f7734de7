// DESIGN 3.1 for Promise.race: its branches are logical threads for threadlens' primitives and
// async-mutex alike, named as Promise.all's are (`main/Promise.race[i]@file:line`). Two race
// branches taking two locks in opposite order deadlock between the two branches (no RLock
// fix); a correct race program gives no finding.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { Finding } from "../../src/protocol/report.ts";
import { threadlensJson } from "./cliJson.ts";
import { lineIn } from "./sourceLines.ts";

const fixtures = "test/fixtures/precision";

/** 1-based line of the `n`th line of `fixture` containing `text`. */
const lineOf = (fixture: string, text: string, n = 1): number =>
  lineIn(path.join(fixtures, fixture), text, n);

function deadlockOf(fixture: string): Finding {
  const { status, report } = threadlensJson("run", `${fixtures}/${fixture}`);
  assert.equal(status, 2);
  assert.equal(report.findings.length, 1, JSON.stringify(report.findings, null, 2));
  const deadlock = report.findings[0] as Finding;
  assert.equal(deadlock.kind, "deadlock");
  return deadlock;
}

function raceBranches(fixture: string): [string, string] {
  const at = `@${fixture}:${lineOf(fixture, "await Promise.race")}`;
  return [`main/Promise.race[0]${at}`, `main/Promise.race[1]${at}`];
}

test("two Promise.race branches taking two Locks in opposite order deadlock between the branches", () => {
  const fixture = "race-inversion.ts";
  const deadlock = deadlockOf(fixture);
  assert.deepEqual(deadlock.locks, ["accounts", "audit"]);
  const [debit, report] = raceBranches(fixture);
  assert.deepEqual(deadlock.threads, [debit, report]);
  assert.deepEqual(
    deadlock.sites.map((s) => [s.thread, s.line, s.role, s.lock]),
    [
      [debit, lineOf(fixture, "await accounts.acquire()"), "holds", "accounts"],
      [debit, lineOf(fixture, "await audit.acquire()"), "waits", "audit"],
      [report, lineOf(fixture, "await audit.acquire()", 2), "holds", "audit"],
      [report, lineOf(fixture, "await accounts.acquire()", 2), "waits", "accounts"],
    ],
  );
  // Two logical threads: one RLock would let both in at once, so none is offered.
  assert.deepEqual(
    deadlock.suggestions.map((s) => s.kind),
    ["global-order", "acquire-all", "add-timeout"],
  );
  // `threadlens check` on the same file: the same locks and lines, no RLock either.
  const checked = threadlensJson("check", `${fixtures}/${fixture}`);
  assert.equal(checked.status, 1);
  assert.equal(checked.report.findings.length, 1);
  const found = checked.report.findings[0] as Finding;
  assert.equal(found.kind, "potential-deadlock");
  assert.deepEqual(found.locks, ["accounts", "audit"]);
  assert.deepEqual(
    found.sites.map((s) => [s.line, s.role]),
    deadlock.sites.map((s) => [s.line, s.role === "holds" ? "held" : "acquires"]),
  );
  assert.deepEqual(
    found.suggestions.map((s) => s.kind),
    ["global-order", "acquire-all", "add-timeout"],
  );
});

test("two Promise.race branches taking two async-mutex Mutexes in opposite order deadlock between them", () => {
  const fixture = "race-async-mutex.ts";
  const deadlock = deadlockOf(fixture);
  assert.deepEqual([...deadlock.locks].sort(), ["accountA", "accountB"]);
  const [first, second] = raceBranches(fixture);
  assert.deepEqual(deadlock.threads, [first, second]);
  const holds = lineOf(fixture, "await from.acquire()");
  const waits = lineOf(fixture, "await to.acquire()");
  assert.deepEqual(
    deadlock.sites.map((s) => [s.thread, s.line, s.role]),
    [
      [first, holds, "holds"],
      [first, waits, "waits"],
      [second, holds, "holds"],
      [second, waits, "waits"],
    ],
  );
  assert.equal(
    deadlock.suggestions.some((s) => s.kind === "use-rlock"),
    false,
  );
});

test("a correct Promise.race program: no finding, the race's results unchanged", () => {
  const { status, report, stderr } = threadlensJson("run", `${fixtures}/race-correct.ts`);
  assert.equal(status, 0, stderr);
  assert.deepEqual(report.findings, []);
  assert.match(stderr, /first: debit, then: cached/);
  // Its two branches were told apart (both contended for accounts).
  const names = report.threads.map((t) => t.name);
  const at = `@race-correct.ts:${lineOf("race-correct.ts", "await Promise.race")}`;
  assert.ok(names.includes(`main/Promise.race[0]${at}`), names.join(", "));
  assert.ok(names.includes(`main/Promise.race[1]${at}`), names.join(", "));
});
