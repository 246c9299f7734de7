// Hold times in bounded memory (analysis/holdTimes.ts, issue 12): exact quantiles up to
// EXACT_LIMIT holds, then a log-linear histogram whose quantiles are at most 0.2% below the
// exact ones and whose size does not grow with the number of holds.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  EXACT_LIMIT,
  HoldTimes,
  bucketFloor,
  bucketOf,
  quantile,
} from "../../../src/analysis/holdTimes.ts";

/** A deterministic spread of times from 0 to about 10 s (µs). */
function times(n: number): number[] {
  let x = 12345;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return Math.floor(Math.exp((x / 2 ** 31) * Math.log(10_000_000)));
  });
}

describe("hold times", () => {
  test("exact below the limit: the nearest-rank quantiles of every time", () => {
    const h = new HoldTimes();
    const values = times(EXACT_LIMIT - 1);
    for (const v of values) h.add(v);
    const sorted = [...values].sort((a, b) => a - b);
    assert.deepEqual(h.quantiles([0.5, 0.99]), [quantile(sorted, 0.5), quantile(sorted, 0.99)]);
    assert.equal(h.max, sorted.at(-1));
    assert.equal(h.count, EXACT_LIMIT - 1);
    assert.equal(h.stored, EXACT_LIMIT - 1);
  });

  test("past the limit: bounded, within 0.2% below the exact quantiles, exact max", () => {
    const small = new HoldTimes();
    const large = new HoldTimes();
    const values = times(400_000);
    for (const v of values.slice(0, 40_000)) small.add(v);
    for (const v of values) large.add(v);
    // The same spread of times in ten times as many holds: no more buckets.
    assert.ok(large.stored <= small.stored + 64, `${large.stored} vs ${small.stored}`);
    assert.ok(large.stored < 12_000);
    const sorted = [...values].sort((a, b) => a - b);
    const [p50 = 0, p99 = 0] = large.quantiles([0.5, 0.99]);
    for (const [got, q] of [
      [p50, 0.5],
      [p99, 0.99],
    ] as const) {
      const exact = quantile(sorted, q);
      assert.ok(got <= exact && got >= exact * (1 - 1 / 512), `${got} vs ${exact} at ${q}`);
    }
    assert.equal(large.max, sorted.at(-1));
    assert.equal(large.count, 400_000);
  });

  test("buckets: exact below 1024 µs, in time order, floors inside their bucket", () => {
    assert.deepEqual([0, 1, 1023].map(bucketOf), [0, 1, 1023]);
    let previous = -1;
    for (const v of [1024, 1026, 2047, 2048, 5000, 2 ** 31, 2 ** 32 + 7, 2 ** 40]) {
      const b = bucketOf(v);
      assert.ok(b > previous, `bucket of ${v}`);
      previous = b;
      const floor = bucketFloor(b);
      assert.ok(floor <= v && floor >= v * (1 - 1 / 512), `${floor} for ${v}`);
      assert.equal(bucketOf(floor), b);
    }
    assert.equal(bucketOf(1025), bucketOf(1024));
    assert.deepEqual(new HoldTimes().quantiles([0.5]), [0]);
  });
});
