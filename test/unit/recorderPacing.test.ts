// The recorder thread's pace (recorder/pacing.ts): a tick every 5 ms (the clock running) while
// anything comes in, every 25 ms (the clock resting) once nothing has for 200 ms, back to 5 ms
// at the first tick that sees something or a thread that asked for the clock, never slower
// while a pause settles; a thread that asks for the clock doubles the wait before it rests.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  BUSY_TICK_MS,
  MAX_QUIET_AFTER_MICROS,
  Pacing,
  QUIET_AFTER_MICROS,
  QUIET_TICK_MS,
} from "../../src/recorder/pacing.ts";

test("quiet after 200 ms without news, busy again at the first news", () => {
  assert.deepEqual([BUSY_TICK_MS, QUIET_TICK_MS, QUIET_AFTER_MICROS], [5, 25, 200_000]);
  const pacing = new Pacing(1_000);
  assert.equal(pacing.after(3, 6_000, false), undefined, "news while busy: no change");
  assert.equal(pacing.after(3, 6_000 + QUIET_AFTER_MICROS - 1, false), undefined);
  assert.equal(pacing.quiet, false);
  assert.equal(pacing.after(3, 6_000 + QUIET_AFTER_MICROS, false), QUIET_TICK_MS);
  assert.equal(pacing.quiet, true);
  assert.equal(pacing.after(3, 900_000, false), undefined, "still quiet: no change");
  assert.equal(pacing.after(4, 925_000, false), BUSY_TICK_MS);
  assert.equal(pacing.quiet, false);
  // The quiet period counts from the last news again.
  assert.equal(pacing.after(4, 925_000 + QUIET_AFTER_MICROS - 1, false), undefined);
  assert.equal(pacing.after(4, 925_000 + QUIET_AFTER_MICROS, false), QUIET_TICK_MS);
});

test("a settling pause keeps the ticks frequent, and makes a quiet recorder busy", () => {
  const pacing = new Pacing(0);
  assert.equal(pacing.after(0, QUIET_AFTER_MICROS * 3, true), undefined);
  assert.equal(pacing.quiet, false);
  assert.equal(pacing.after(0, QUIET_AFTER_MICROS * 4, false), QUIET_TICK_MS);
  assert.equal(pacing.after(0, QUIET_AFTER_MICROS * 4 + 25_000, true), BUSY_TICK_MS);
  assert.equal(pacing.quiet, false);
});

test("a thread that asks for the resting clock doubles the wait before it rests again", () => {
  const pacing = new Pacing(0);
  let now = 0;
  const waits: number[] = [];
  for (let round = 0; round < 9; round++) {
    const busySince = now;
    // Ticks without news until the clock rests.
    for (;;) {
      now += 5_000;
      if (pacing.after(0, now, false) === QUIET_TICK_MS) break;
    }
    waits.push(now - busySince);
    now += 25_000;
    assert.equal(pacing.after(0, now, false, true), BUSY_TICK_MS, "asked for the clock");
  }
  assert.deepEqual(
    waits,
    [200, 400, 800, 1_600, 3_200, 6_400, 12_800, 12_800, 12_800].map((ms) => ms * 1_000),
  );
  assert.equal(MAX_QUIET_AFTER_MICROS, 12_800_000);
  // News wakes it without doubling: the next wait is the same.
  now += 12_800_000;
  assert.equal(pacing.after(0, now, false), QUIET_TICK_MS);
  now += 25_000;
  assert.equal(pacing.after(1, now, false, true), BUSY_TICK_MS);
  const since = now;
  for (;;) {
    now += 5_000;
    if (pacing.after(1, now, false) === QUIET_TICK_MS) break;
  }
  assert.equal(now - since, 12_800_000);
});
