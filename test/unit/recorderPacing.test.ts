// The recorder thread's pace (recorder/pacing.ts): a tick every 5 ms while anything comes in,
// every 25 ms once nothing has for 200 ms, back to 5 ms at the first tick that sees something,
// and never slower while a pause settles.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  BUSY_TICK_MS,
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
