// `threadlens explore` under the real CLI (DESIGN 8.1): PCT finds the deadlock of a
// worker-thread inversion and its schedule replays it at least 9 times out of 10; the random
// walk with a given seed finds the async inversion's and says its strategy and seed.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  asyncInversion,
  threadInversion,
  json,
  only,
  assertInversionDeadlock,
} from "./exploreRuns.ts";

test("thread inversion: explore finds the deadlock and its schedule replays it at least 9 of 10 times", () => {
  const { status, report } = json(["explore", threadInversion]);
  const context = `explore seed ${String(report.explored?.seed)}`;
  assert.equal(status, 2, context);
  assertInversionDeadlock(report, threadInversion, "acquireSync()", context);
  const schedule = report.schedule ?? "";
  assert.match(schedule, /^tl1\./);
  let deadlocked = 0;
  const outcomes: string[] = [];
  for (let i = 0; i < 10; i++) {
    const replay = json(["run", threadInversion, "--schedule", schedule]);
    const kinds = replay.report.findings.map((f) => f.kind).join(",");
    outcomes.push(`${replay.status}:${kinds}`);
    if (replay.status === 2) {
      assertInversionDeadlock(replay.report, threadInversion, "acquireSync()", `replay ${i + 1}`);
      deadlocked++;
    } else {
      // The replays that do not deadlock only predict it: nothing else goes wrong.
      assert.equal(replay.status, 1, `replay ${i + 1}`);
      only(replay.report, "potential-deadlock");
    }
  }
  assert.ok(
    deadlocked >= 9,
    `${context}: ${deadlocked}/10 replays deadlocked: ${outcomes.join(" ")}`,
  );
});

test("random walk with a given seed: finds the async deadlock, says strategy and seed", () => {
  const { status, report } = json([
    "explore",
    asyncInversion,
    "--strategy",
    "random",
    "--seed",
    "7",
  ]);
  assert.equal(status, 2);
  assertInversionDeadlock(report, asyncInversion, "acquire()", "random, seed 7");
  assert.equal(report.explored?.strategy, "random");
  assert.equal(report.explored?.seed, 7);
});
