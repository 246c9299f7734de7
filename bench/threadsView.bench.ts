// Threads view cost at 100 threads and 1,000,000 events (`npm run bench:views`): a generated
// trace (nested holds, contended acquisitions, sleeps and condition waits in every thread) fed
// to the extension's TraceModel, the code path of live sessions and .tltrace files alike; then
// the snapshot the webview receives for a 1400 px timeline (build time, JSON size) and one
// frame of the page's per-pixel aggregation of it, for the full range and a zoomed one.
// Figures are printed, never asserted. Sizes scale with BENCH_SCALE.
import { performance } from "node:perf_hooks";
import { liveUpdateGapMs } from "../src/extension/laneSnapshot.ts";
import { TraceModel } from "../src/extension/traceModel.ts";
import { aggregateIntervals, aggregateStates } from "../src/extension/timelineAggregation.ts";
import {
  INTERVAL_HOLD,
  INTERVAL_WAIT,
  type ThreadsSnapshot,
  type Viewport,
} from "../src/extension/webviewMessages.ts";
import type { EventKind, MetaRecord, TraceEvent } from "../src/protocol/events.ts";
import { median } from "./harness.ts";

const scale = Number(process.env["BENCH_SCALE"] ?? "1");
const THREADS = 100;
const EVENTS = Math.round(1_000_000 * scale);
const PER_CYCLE = 10;
const CYCLE_MICROS = 1_000;
const WIDTH = 1400;
const NESTED_LOCKS = 8;
const HOT_LOCKS = 4;
const SLEEP = 100;
const CONDITION = 101;

function meta(): MetaRecord[] {
  const records: MetaRecord[] = [];
  for (let t = 1; t <= THREADS; t++) {
    const name = t === 1 ? "main" : `worker-${t}`;
    const kind = t === 1 ? "main" : "worker";
    records.push({ type: "thread", ident: t, name, kind, parent: 0, daemon: false });
  }
  for (let s = 1; s <= 5; s++) {
    const frames = [{ file: "src/app.ts", line: 10 * s, column: 5, function: `step${s}` }];
    records.push({ type: "site", id: s, frames });
  }
  for (let l = 0; l < NESTED_LOCKS + HOT_LOCKS; l++) {
    records.push({ type: "object", id: l, kind: "Lock", name: `lock${l}`, site: 1, capacity: 0 });
  }
  records.push({ type: "object", id: SLEEP, kind: "Atomics", name: "sleep", site: 0, capacity: 0 });
  records.push({
    type: "object",
    id: CONDITION,
    kind: "Condition",
    name: "ready",
    site: 0,
    capacity: 0,
  });
  return records;
}

/** One thread's cycle of ten events, as [kind, object, site, flag]. */
function cycle(t: number, round: number): [EventKind, number, number, boolean][] {
  const outer = t % NESTED_LOCKS;
  const inner = (t + 1) % NESTED_LOCKS;
  const hot = NESTED_LOCKS + (t % HOT_LOCKS);
  const wait = round % 2 === 0 ? SLEEP : CONDITION;
  return [
    ["acquired", outer, 1, false],
    ["acquired", inner, 2, false],
    ["release", inner, 0, false],
    ["release", outer, 0, false],
    ["acquire-request", hot, 3, false],
    ["acquired", hot, 3, false],
    ["release", hot, 0, false],
    ["wait-begin", wait, 4, wait === SLEEP],
    ["wait-end", wait, 4, true],
    ["notify", CONDITION, 5, false],
  ];
}

function events(): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (let t = 1; t <= THREADS; t++) {
    out.push({ kind: "thread-start", thread: t, object: 0, site: 0, time: t, flag: false });
  }
  const rounds = Math.ceil((EVENTS - THREADS) / (THREADS * PER_CYCLE));
  for (let r = 0; r < rounds && out.length < EVENTS; r++) {
    for (let t = 1; t <= THREADS && out.length < EVENTS; t++) {
      cycle(t, r).forEach(([kind, object, site, flag], k) => {
        const time = r * CYCLE_MICROS + k * 90 + t * 0.5 + 100;
        if (out.length < EVENTS) out.push({ kind, thread: t, object, site, time, flag });
      });
    }
  }
  return out;
}

function timed<T>(run: () => T): [T, number] {
  const start = performance.now();
  const result = run();
  return [result, performance.now() - start];
}

/** One frame of the page: every lane's states, holds and waits aggregated per pixel. */
function frame(snapshot: ThreadsSnapshot, from: number, to: number): void {
  for (const lane of snapshot.lanes) {
    aggregateStates(lane.segments, lane.until, from, to, WIDTH);
    aggregateIntervals(lane.intervals, INTERVAL_HOLD, snapshot.now, from, to, WIDTH);
    aggregateIntervals(lane.intervals, INTERVAL_WAIT, snapshot.now, from, to, WIDTH);
  }
}

function measureView(model: TraceModel, label: string, viewport: Viewport): void {
  const builds: number[] = [];
  let snapshot: ThreadsSnapshot | undefined;
  for (let i = 0; i < 5; i++) {
    const [s, ms] = timed(() => model.snapshot("bench", viewport));
    snapshot = s;
    builds.push(ms);
  }
  if (snapshot === undefined) return;
  const bytes = Buffer.byteLength(JSON.stringify(snapshot));
  const segments = snapshot.lanes.reduce((n, l) => n + l.segments.start.length, 0);
  const intervals = snapshot.lanes.reduce((n, l) => n + l.intervals.start.length, 0);
  const { start, end } = snapshot.range;
  const frames: number[] = [];
  for (let i = 0; i < 7; i++) frames.push(timed(() => frame(snapshot, start, end))[1]);
  console.log(
    `${label}: snapshot ${median(builds).toFixed(1)} ms, ${(bytes / 1e6).toFixed(2)} MB JSON ` +
      `(${segments} segments, ${intervals} intervals); ` +
      `page frame at ${WIDTH} px ${median(frames).toFixed(1)} ms; ` +
      `live updates at most every ${liveUpdateGapMs(snapshot).toFixed(0)} ms`,
  );
}

const trace = events();
const [model, buildMs] = timed(() => {
  const m = new TraceModel("bench", "/bench");
  m.addMeta(meta());
  m.addEvents(trace);
  return m;
});
const now = trace.at(-1)?.time ?? 1;
console.log(
  `threadsView bench: ${THREADS} threads, ${trace.length} events, ${(now / 1000).toFixed(0)} ms of trace`,
);
console.log(
  `model build: ${buildMs.toFixed(0)} ms (${(((trace.length / buildMs) * 1000) / 1e6).toFixed(1)} M events/s)`,
);
measureView(model, "full range", { start: 0, end: undefined, width: WIDTH });
measureView(model, "zoomed (1/50 of the range)", {
  start: now / 2,
  end: now / 2 + now / 50,
  width: WIDTH,
});
measureView(model, "zoomed (1/1000 of the range)", {
  start: now / 2,
  end: now / 2 + now / 1000,
  width: WIDTH,
});
// For comparison: what one snapshot would weigh if the model sent every recorded segment.
const everything = model.snapshot("bench", { start: 0, end: undefined, width: 10_000_000 });
console.log(
  `unbounded snapshot (every segment and interval): ${(Buffer.byteLength(JSON.stringify(everything)) / 1e6).toFixed(1)} MB JSON`,
);
