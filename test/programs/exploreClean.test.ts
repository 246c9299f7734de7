// `threadlens explore` under the real CLI (DESIGN 8.1): a correct program explored 50 runs
// gives exit 0 and no finding; usage errors exit 3.
import { test } from "node:test";
import assert from "node:assert/strict";
import { asyncInversion, clean, exploreCli, json } from "./exploreRuns.ts";

test("a correct program explored 50 runs: exit 0, no finding", () => {
  const { status, report } = json(["explore", clean]);
  const context = `explore seed ${String(report.explored?.seed)}`;
  assert.equal(status, 0, `${context}: ${JSON.stringify(report.findings)}`);
  assert.deepEqual(report.findings, [], context);
  assert.equal(report.explored?.runs, 50);
  assert.equal(report.explored?.strategy, "pct");
  assert.equal(report.explored?.failure, undefined);
  assert.equal(report.schedule, undefined);
});

test("explore usage errors: no program, an unknown strategy, a bad run count (exit 3)", () => {
  const none = exploreCli(["explore"]);
  assert.equal(none.status, 3);
  assert.match(none.stderr, /explore needs a program/);
  const strategy = exploreCli(["explore", asyncInversion, "--strategy", "dfs"]);
  assert.equal(strategy.status, 3);
  assert.match(strategy.stderr, /--strategy must be one of random, pct, got dfs/);
  const runs = exploreCli(["explore", asyncInversion, "--runs", "0"]);
  assert.equal(runs.status, 3);
  assert.match(runs.stderr, /--runs must be a positive integer, got 0/);
});
