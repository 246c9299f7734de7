// Per-pixel aggregation (what the page draws) and the snapshot bound built on it (what the
// model sends): a blip stays visible, nested holds show the innermost, and a lane aggregated by
// the model draws exactly as the full lane would have.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { laneSnapshot, SnapshotTables } from "../../../src/extension/laneSnapshot.ts";
import {
  aggregateIntervals,
  aggregateStates,
  lastAtOrBefore,
} from "../../../src/extension/timelineAggregation.ts";
import {
  INTERVAL_HOLD,
  INTERVAL_WAIT,
  NONE,
  stateCode,
  type LaneIntervals,
  type LaneSegments,
} from "../../../src/extension/webviewMessages.ts";

const RUN = stateCode("running");
const BLOCKED = stateCode("blocked");
const WAITING = stateCode("waiting");

function segments(list: [number, number][]): LaneSegments {
  return {
    start: list.map(([t]) => t),
    state: list.map(([, s]) => s),
    object: list.map(() => NONE),
    site: list.map(() => NONE),
  };
}

function intervals(
  list: [kind: number, lock: number, start: number, end: number][],
): LaneIntervals {
  return {
    kind: list.map((i) => i[0]),
    lock: list.map((i) => i[1]),
    start: list.map((i) => i[2]),
    end: list.map((i) => i[3]),
    site: list.map(() => NONE),
  };
}

describe("aggregateStates", () => {
  test("each pixel shows the highest-priority state overlapping it; a 1 µs block is kept", () => {
    const lane = segments([
      [0, RUN],
      [500, BLOCKED],
      [501, RUN],
      [700, WAITING],
    ]);
    const pixels = aggregateStates(lane, 1000, 0, 1000, 10);
    assert.deepEqual(
      [...pixels.state],
      [RUN, RUN, RUN, RUN, RUN, BLOCKED, RUN, WAITING, WAITING, WAITING],
    );
    assert.deepEqual([...pixels.segment], [0, 0, 0, 0, 0, 1, 2, 3, 3, 3]);
  });

  test("a zoomed range: pixels before the first segment have no data", () => {
    const lane = segments([[300, RUN]]);
    const pixels = aggregateStates(lane, 400, 200, 400, 4);
    assert.deepEqual([...pixels.state], [0, 0, RUN, RUN]);
  });

  test("lastAtOrBefore finds the segment a time falls in", () => {
    assert.equal(lastAtOrBefore([0, 10, 20], 15), 1);
    assert.equal(lastAtOrBefore([0, 10, 20], 20), 2);
    assert.equal(lastAtOrBefore([5], 1), -1);
  });
});

describe("aggregateIntervals", () => {
  test("nested holds: the inner lock shows where both are held; open ones last until now", () => {
    const iv = intervals([
      [INTERVAL_HOLD, 0, 0, 800],
      [INTERVAL_HOLD, 1, 200, 400],
      [INTERVAL_WAIT, 1, 800, NONE],
    ]);
    assert.deepEqual(
      [...aggregateIntervals(iv, INTERVAL_HOLD, 1000, 0, 1000, 10)],
      [0, 0, 1, 1, 0, 0, 0, 0, NONE, NONE],
    );
    assert.deepEqual(
      [...aggregateIntervals(iv, INTERVAL_WAIT, 1000, 0, 1000, 10)],
      [NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, 2, 2],
    );
  });
});

describe("laneSnapshot", () => {
  const tables = () =>
    new SnapshotTables(
      (id) => `lock${id}`,
      () => undefined,
    );

  /** 20,000 alternating segments with a block every 37th, and as many short holds. */
  function busyLane() {
    const list: [number, number][] = [];
    const holds: [number, number, number, number][] = [];
    for (let i = 0; i < 20_000; i++) {
      list.push([i * 10, i % 37 === 0 ? BLOCKED : i % 2 === 0 ? RUN : WAITING]);
      holds.push([INTERVAL_HOLD, i % 3, i * 10, i * 10 + 4]);
    }
    return { segments: segments(list), intervals: intervals(holds) };
  }

  test("a short lane is sent as recorded", () => {
    const lane = {
      segments: segments([
        [0, RUN],
        [5, BLOCKED],
      ]),
      intervals: intervals([[INTERVAL_HOLD, 7, 0, 5]]),
    };
    const sent = laneSnapshot(lane, 9, { start: 0, end: 9 }, 100, tables());
    assert.deepEqual(sent.segments.start, [0, 5]);
    assert.equal(sent.until, 9);
    assert.deepEqual(sent.intervals.lock, [0]);
  });

  test("a long lane is bounded by the width and draws exactly like the full lane", () => {
    const lane = busyLane();
    const width = 500;
    for (const range of [
      { start: 0, end: 200_000 },
      { start: 50_000, end: 90_000 },
    ]) {
      const t = tables();
      const sent = laneSnapshot(lane, 200_000, range, width, t);
      assert.ok(sent.segments.start.length <= width, `${sent.segments.start.length} segments`);
      assert.ok(
        sent.intervals.start.length <= 2 * width,
        `${sent.intervals.start.length} intervals`,
      );
      const full = aggregateStates(lane.segments, 200_000, range.start, range.end, width);
      const bounded = aggregateStates(sent.segments, sent.until, range.start, range.end, width);
      assert.deepEqual([...bounded.state], [...full.state]);
      const holds = (iv: LaneIntervals) =>
        aggregateIntervals(iv, INTERVAL_HOLD, 200_000, range.start, range.end, width);
      // The model's lock ids became indexes into the snapshot's names: compare by name.
      const sentNames = [...holds(sent.intervals)].map((i) =>
        i === NONE ? "none" : t.names[sent.intervals.lock[i] ?? NONE],
      );
      const fullNames = [...holds(lane.intervals)].map((i) =>
        i === NONE ? "none" : `lock${lane.intervals.lock[i]}`,
      );
      assert.deepEqual(sentNames, fullNames);
      assert.ok(fullNames.includes("lock2"));
    }
  });

  test("a zoomed range of a long lane is sent as recorded when it is short enough", () => {
    const lane = busyLane();
    const sent = laneSnapshot(lane, 200_000, { start: 1000, end: 2000 }, 500, tables());
    assert.equal(sent.segments.start[0], 1000);
    assert.equal(sent.segments.start.length, 101);
    assert.equal(sent.until, 2010);
  });
});
