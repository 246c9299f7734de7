// The lock profile (analysis/lockStats.ts): acquisitions, contention, hold quantiles over the
// ended holds, the longest hold counting one still open, wait time, holders and waiters; and
// its text table (`threadlens run --stats`) and the Locks view's rows (same figures).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Dictionary } from "../../../src/analysis/dictionary.ts";
import { LockStatsCollector, quantile } from "../../../src/analysis/lockStats.ts";
import { formatLockStats } from "../../../src/analysis/lockStatsText.ts";
import { lockDescription, sortLocks } from "../../../src/extension/lockRows.ts";
import type { Trace } from "../../../src/protocol/events.ts";
import { TraceBuilder } from "./traceBuilder.ts";

function statsOf(trace: Trace) {
  const dict = new Dictionary();
  for (const record of trace.meta) dict.add(record);
  const collector = new LockStatsCollector();
  for (const event of trace.events) collector.observe(event);
  return collector.stats(dict);
}

/** Two workers take `hot` in turns (worker-2 waits once), `cold` once; main holds `held`. */
function contended(): Trace {
  const b = new TraceBuilder();
  const main = b.thread("main");
  const hot = b.lock("hot");
  const cold = b.lock("cold");
  const held = b.lock("held");
  const w1 = b.worker("worker-1", main);
  const w2 = b.worker("worker-2", main);
  // Each event is 10 µs after the previous one.
  b.acquired(w1, hot);
  b.request(w2, hot);
  b.release(w1, hot); // held 20
  b.acquired(w2, hot); // waited 20
  b.release(w2, hot); // held 10
  b.acquired(w1, cold).release(w1, cold); // held 10
  b.acquired(main, held); // still held at the end
  b.request(w1, held); // still waiting at the end
  b.time = 200;
  b.event("loop-idle", main, 0);
  return b.build();
}

describe("lock statistics", () => {
  test("per lock: acquisitions, contention, hold p50/p99/max, wait, holders and waiters", () => {
    const byName = Object.fromEntries(statsOf(contended()).map((s) => [s.lock, s]));
    assert.deepEqual(byName["hot"], {
      lock: "hot",
      kind: "Lock",
      acquisitions: 2,
      contended: 1,
      contention: 0.5,
      holdP50: 10,
      holdP99: 20,
      holdMax: 20,
      waitTotal: 20,
      waitMax: 20,
      holders: [],
      waiters: [],
    });
    assert.deepEqual(byName["held"], {
      lock: "held",
      kind: "Lock",
      acquisitions: 1,
      contended: 0,
      contention: 0,
      holdP50: 0,
      holdP99: 0,
      // Still held at the last event (210), taken at 110.
      holdMax: 100,
      // worker-1 still waits, since 120.
      waitTotal: 90,
      waitMax: 90,
      holders: ["main"],
      waiters: ["worker-1"],
    });
    // Most contended first, then by name.
    assert.deepEqual(
      statsOf(contended()).map((s) => s.lock),
      ["hot", "cold", "held"],
    );
  });

  test("an RLock re-entered is one hold until its outermost release", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const r = b.object("RLock", "r");
    b.acquired(main, r).acquired(main, r).release(main, r).release(main, r);
    const [stats] = statsOf(b.build());
    assert.deepEqual([stats?.acquisitions, stats?.holdMax], [2, 30]);
  });

  test("quantiles by nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.deepEqual(
      [quantile(values, 0.5), quantile(values, 0.99), quantile([], 0.5)],
      [50, 99, 0],
    );
  });

  test("the --stats table and the Locks view's row show the same figures", () => {
    const stats = statsOf(contended());
    const table = formatLockStats(stats).split("\n");
    assert.match(
      table[1] ?? "",
      /^lock\s+kind\s+acq\s+contended\s+hold p50\s+p99\s+max\s+wait\s+holder$/,
    );
    assert.match(table[2] ?? "", /^hot\s+Lock\s+2\s+1 \(50%\)\s+10µs\s+20µs\s+20µs\s+20µs\s+-$/);
    const hot = stats.find((s) => s.lock === "hot");
    assert.ok(hot);
    assert.equal(
      lockDescription(hot),
      "free · 2× · 50% contended · hold p50 10 µs p99 20 µs max 20 µs · wait 20 µs",
    );
    assert.deepEqual(
      sortLocks(stats, "holdMax").map((s) => s.lock),
      ["held", "hot", "cold"],
    );
    assert.deepEqual(
      sortLocks(stats, "name").map((s) => s.lock),
      ["cold", "held", "hot"],
    );
  });
});
