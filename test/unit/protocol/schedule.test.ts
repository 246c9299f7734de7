// Schedule tokens (DESIGN 8.1): printable, round-trip every plan, and say what is wrong with a
// damaged one; the seeded hash is stable (replays depend on it).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ScheduleTokenError,
  decodeSchedule,
  encodeSchedule,
  hash32,
  type SchedulePlan,
} from "../../../src/protocol/schedule.ts";

test("tokens are printable and round-trip directed and randomized plans", () => {
  const plans: SchedulePlan[] = [
    { mode: "directed", threads: ["first", "second"], locks: ["lockA", "lockB"], holdMs: 1000 },
    { mode: "pct", seed: 42, depth: 3, steps: 17, program: "abc" },
    { mode: "random", seed: 0, depth: 1, steps: 1 },
    {
      mode: "pct",
      seed: 9,
      depth: 3,
      steps: 12,
      program: "abc",
      changes: [{ thread: "first", pass: 0, prio: 1 }],
    },
  ];
  for (const plan of plans) {
    const token = encodeSchedule(plan);
    assert.match(token, /^tl1\.[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeSchedule(token), { program: undefined, ...plan });
  }
});

test("a damaged or foreign token is a ScheduleTokenError saying what is wrong", () => {
  assert.throws(() => decodeSchedule("abc"), /not a threadlens schedule token/);
  assert.throws(() => decodeSchedule("tl1.!!!"), ScheduleTokenError);
  const noSeed = `tl1.${Buffer.from(JSON.stringify({ mode: "pct", depth: 3, steps: 1 })).toString("base64url")}`;
  assert.throws(() => decodeSchedule(noSeed), /bad randomized plan/);
  const badSwitch = `tl1.${Buffer.from(
    JSON.stringify({ mode: "pct", seed: 1, depth: 3, steps: 1, changes: [{ thread: "a" }] }),
  ).toString("base64url")}`;
  assert.throws(() => decodeSchedule(badSwitch), /bad forced switches/);
  const odd = `tl1.${Buffer.from(JSON.stringify({ mode: "fifo" })).toString("base64url")}`;
  assert.throws(() => decodeSchedule(odd), /unknown mode fifo/);
});

test("hash32 is stable and depends on seed and text", () => {
  assert.equal(hash32(1, "main"), hash32(1, "main"));
  assert.notEqual(hash32(1, "main"), hash32(2, "main"));
  assert.notEqual(hash32(1, "main"), hash32(1, "worker"));
  assert.ok(hash32(7, "x") >= 0 && hash32(7, "x") < 2 ** 32);
});
