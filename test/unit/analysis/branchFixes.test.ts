// No fix removes mutual exclusion between two logical threads (DESIGN 3.1, 5.4): Promise.all
// branches of one thread own locks as that thread at run time, so an RLock is never offered
// between them (a cycle of two branches, a branch taking its own Lock again); between worker
// threads the single-RLock alternative stays (S1).
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeTrace } from "../../../src/analysis/index.ts";
import type { Finding } from "../../../src/protocol/report.ts";
import { TraceBuilder } from "./traceBuilder.ts";

const CWD = "/app";

function only(findings: readonly Finding[]): Finding {
  assert.equal(findings.length, 1, JSON.stringify(findings, null, 2));
  return findings[0] as Finding;
}

/** Two threads of `kind` (started by main) holding one lock each and waiting for the other. */
function inversion(names: [string, string], kind: "task" | "worker"): Finding {
  const b = new TraceBuilder();
  const main = b.thread("main");
  const accounts = b.lock("accounts", b.site(7));
  const audit = b.lock("audit", b.site(8));
  const [x, y] = names.map((name) => b.thread(name, { kind, parent: main }));
  b.acquired(x as number, accounts, b.site(12, { fn: "debit" }));
  b.acquired(y as number, audit, b.site(20, { fn: "report" }));
  b.request(x as number, audit, b.site(14, { fn: "debit" }));
  b.request(y as number, accounts, b.site(22, { fn: "report" }));
  return only(analyzeTrace(b.build(), { cwd: CWD }));
}

test("a cycle between two Promise.all branches of main: a deadlock with no RLock fix", () => {
  const branches: [string, string] = [
    "main/Promise.all[0]@bank.ts:27",
    "main/Promise.all[1]@bank.ts:27",
  ];
  const deadlock = inversion(branches, "task");
  assert.equal(deadlock.kind, "deadlock");
  assert.deepEqual(deadlock.threads, branches);
  assert.deepEqual(
    deadlock.suggestions.map((s) => s.kind),
    ["global-order", "acquire-all", "add-timeout"],
  );
});

test("the same cycle between two spawned tasks or two workers keeps the single-RLock alternative", () => {
  for (const kind of ["task", "worker"] as const) {
    const deadlock = inversion(["one", "two"], kind);
    assert.equal(deadlock.kind, "deadlock");
    assert.deepEqual(
      deadlock.suggestions.map((s) => s.kind),
      ["global-order", "acquire-all", "use-rlock", "add-timeout"],
      kind,
    );
  }
});

test("a branch taking its own Lock again: a self-deadlock of the branch, no RLock fix", () => {
  const b = new TraceBuilder();
  const main = b.thread("main");
  const cache = b.lock("cache", b.site(7));
  const branch = b.thread("main/Promise.all[0]@cache.ts:22", { kind: "task", parent: main });
  b.acquired(branch, cache, b.site(10, { fn: "refill" }));
  b.request(branch, cache, b.site(12, { fn: "refill" }));
  const self = only(analyzeTrace(b.build(), { cwd: CWD }));
  assert.equal(self.kind, "self-deadlock");
  assert.deepEqual(self.threads, ["main/Promise.all[0]@cache.ts:22"]);
  assert.deepEqual(
    self.suggestions.map((s) => s.kind),
    ["add-timeout"],
  );
  // main itself re-taking it keeps the RLock fix (S2).
  const c = new TraceBuilder();
  const own = c.thread("main");
  const lock = c.lock("cache", c.site(7));
  c.acquired(own, lock, c.site(10)).request(own, lock, c.site(12));
  assert.deepEqual(
    only(analyzeTrace(c.build(), { cwd: CWD })).suggestions.map((s) => s.kind),
    ["use-rlock", "add-timeout"],
  );
});
