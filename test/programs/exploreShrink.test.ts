// `threadlens explore --shrink` (issue 16): the failing run's schedule reduced to the fewest
// forced switches (priority changes) that still fail the same way, under the real CLI. The
// async two-task inversion needs exactly one: "first" gives way right after taking lockA, or
// "second" right after taking lockB (either way each then holds one lock and waits for the
// other).
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeSchedule } from "../../src/protocol/schedule.ts";
import { asyncInversion, exploreCli, json as exploreJson } from "./exploreRuns.ts";

const threadlens = (...args: string[]) => exploreCli(args);
const json = (...args: string[]) => exploreJson(args);

test("explore --shrink: the async inversion shrinks to one forced switch, and the shrunk token replays it", () => {
  const { status, report } = json("explore", asyncInversion, "--shrink");
  const context = `explore seed ${String(report.explored?.seed)}`;
  assert.equal(status, 2, context);
  assert.equal(report.explored?.failure, "was stopped: deadlock", context);
  const shrunk = report.explored?.shrunk;
  assert.ok(shrunk !== undefined, `${context}: shrunk`);
  assert.equal(shrunk.to, 1, `${context}: ${JSON.stringify(shrunk)}`);
  assert.ok(shrunk.from >= 1 && shrunk.reruns >= 1, `${context}: ${JSON.stringify(shrunk)}`);
  const [only] = shrunk.switches;
  assert.ok(
    only === "first after acquiring Lock lockA" || only === "second after acquiring Lock lockB",
    `${context}: ${JSON.stringify(shrunk.switches)}`,
  );
  const deadlock = report.findings.find((f) => f.kind === "deadlock");
  assert.deepEqual([...(deadlock?.threads ?? [])].sort(), ["first", "second"], context);
  const schedule = report.schedule ?? "";
  assert.equal(deadlock?.schedule, schedule);
  const plan = decodeSchedule(schedule);
  assert.ok(plan.mode === "pct", context);
  assert.deepEqual(
    plan.changes?.map((c) => [c.thread, c.pass]),
    [[only?.split(" ")[0], 0]],
    `${context}: the token lists the one switch`,
  );
  for (let i = 0; i < 5; i++) {
    const replay = json("run", asyncInversion, "--schedule", schedule);
    assert.equal(replay.status, 2, `${context}, replay ${i + 1}`);
    const d = replay.report.findings.filter((f) => f.kind === "deadlock");
    assert.equal(d.length, 1, `${context}, replay ${i + 1}`);
  }
});

test("explore --shrink, human output: the switch that remains and the shrunk replay", () => {
  const r = threadlens("explore", asyncInversion, "--shrink", "--seed", "11");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /shrinking its schedule/);
  assert.match(
    r.stderr,
    /shrunk to 1 forced switch\(es\) of \d+ \(\d+ reruns\); the shrunk schedule replayed the failure:\n {4}switch: first after acquiring Lock lockA\n/,
  );
  assert.match(r.stderr, /replay it: threadlens run \S+async-inversion\.ts --schedule tl1\.\S+/);
});
