// The timeline canvas: one pane per thread (its state band, then a thin row of the locks it
// holds and one of the locks it waits for) on a shared time axis. Each frame aggregates every
// lane per pixel (timelineAggregation.ts) and keeps those pixels, so hover and click find the
// segment or interval under the pointer without searching the lanes again.
import {
  aggregateIntervals,
  aggregateStates,
  pixelRuns,
  type IntervalPixels,
  type StatePixels,
} from "../../src/extension/timelineAggregation.ts";
import {
  INTERVAL_HOLD,
  INTERVAL_WAIT,
  NONE,
  THREAD_STATES,
  type SourceLocation,
  type ThreadState,
  type ThreadsSnapshot,
} from "../../src/extension/webviewMessages.ts";

export const AXIS_HEIGHT = 16;
const STATE_HEIGHT = 12;
const ROW_HEIGHT = 3;
/** State band, hold row, wait row and a gap. */
export const LANE_HEIGHT = STATE_HEIGHT + 2 * ROW_HEIGHT + 5;

const STATE_COLORS: Readonly<Record<ThreadState, string>> = {
  exited: "rgba(128,128,128,0.25)",
  running: "#3c9d5d",
  sleeping: "#6c7fa8",
  joining: "#b09a3c",
  waiting: "#d08a2e",
  blocked: "#d9413a",
};
const WAIT_COLOR = "#d9413a";
/** Lock colors for the hold row, by the lock's name index. */
const LOCK_COLORS = ["#4f8fd6", "#a86fd0", "#3cb1a8", "#c9a43a", "#d06f9a", "#7f9c3c"];

/** Where the axis starts on the canvas: room for thread names, less on a narrow sidebar. */
export function labelWidth(canvasWidth: number): number {
  return Math.min(90, Math.max(40, Math.floor(canvasWidth * 0.22)));
}

interface LanePixels {
  readonly states: StatePixels;
  readonly holds: IntervalPixels;
  readonly waits: IntervalPixels;
}

export interface TimelineFrame {
  readonly from: number;
  readonly to: number;
  readonly left: number;
  readonly width: number;
  readonly lanes: readonly LanePixels[];
}

export function drawTimeline(
  ctx: CanvasRenderingContext2D,
  snapshot: ThreadsSnapshot | undefined,
  from: number,
  to: number,
  canvasWidth: number,
  foreground: string,
): TimelineFrame {
  const left = labelWidth(canvasWidth);
  const width = Math.max(1, Math.floor(canvasWidth - left));
  ctx.fillStyle = foreground;
  // A narrow sidebar has room for the two ends only; labels are aligned so none overlaps.
  const steps = width >= 240 ? 4 : 1;
  for (let i = 0; i <= steps; i++) {
    const t = from + ((to - from) * i) / steps;
    ctx.textAlign = i === 0 ? "left" : i === steps ? "right" : "center";
    ctx.fillText(formatTime(t), left + (width * i) / steps, 8);
  }
  ctx.textAlign = "left";
  const lanes = (snapshot?.lanes ?? []).map((lane, i): LanePixels => {
    const y = AXIS_HEIGHT + i * LANE_HEIGHT;
    ctx.fillStyle = foreground;
    ctx.fillText(fitText(ctx, lane.name, left - 4), 2, y + STATE_HEIGHT / 2);
    const now = snapshot?.now ?? 0;
    const pixels: LanePixels = {
      states: aggregateStates(lane.segments, lane.until, from, to, width),
      holds: aggregateIntervals(lane.intervals, INTERVAL_HOLD, now, from, to, width),
      waits: aggregateIntervals(lane.intervals, INTERVAL_WAIT, now, from, to, width),
    };
    for (const [x, code, end] of spans(pixels.states.state)) {
      const state = THREAD_STATES[code - 1];
      if (state === undefined) continue;
      ctx.fillStyle = STATE_COLORS[state];
      ctx.fillRect(left + x, y + 1, end - x, STATE_HEIGHT - 2);
    }
    const lockOf = (i: number): number => (i === NONE ? NONE : (lane.intervals.lock[i] ?? NONE));
    for (const [x, lock, end] of spans(Array.from(pixels.holds, lockOf))) {
      if (lock === NONE) continue;
      ctx.fillStyle = LOCK_COLORS[lock % LOCK_COLORS.length] ?? foreground;
      ctx.fillRect(left + x, y + STATE_HEIGHT + 1, end - x, ROW_HEIGHT);
    }
    for (const [x, lock, end] of spans(Array.from(pixels.waits, lockOf))) {
      if (lock === NONE) continue;
      ctx.fillStyle = WAIT_COLOR;
      ctx.fillRect(left + x, y + STATE_HEIGHT + ROW_HEIGHT + 2, end - x, ROW_HEIGHT);
    }
    return pixels;
  });
  return { from, to, left, width, lanes };
}

/** [start, value, end) runs of a pixel row. */
function spans(values: ArrayLike<number>): [number, number, number][] {
  const runs = pixelRuns(values);
  return runs.map(([x, v], i) => [x, v, runs[i + 1]?.[0] ?? values.length]);
}

function fitText(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  let cut = text;
  while (cut.length > 1 && ctx.measureText(`${cut}…`).width > width) cut = cut.slice(0, -1);
  return `${cut}…`;
}

export function formatTime(us: number): string {
  if (Math.abs(us) >= 1_000_000) return `${(us / 1_000_000).toFixed(2)} s`;
  if (Math.abs(us) >= 1_000) return `${(us / 1_000).toFixed(1)} ms`;
  return `${Math.round(us)} µs`;
}

/** What is under a point of the timeline canvas: text for the tooltip, a site to open. */
export interface TimelineHit {
  readonly text: string;
  readonly location: SourceLocation | undefined;
}

export function timelineHit(
  frame: TimelineFrame,
  snapshot: ThreadsSnapshot,
  x: number,
  y: number,
): TimelineHit | undefined {
  const laneIndex = Math.floor((y - AXIS_HEIGHT) / LANE_HEIGHT);
  const lane = snapshot.lanes[laneIndex];
  const pixels = frame.lanes[laneIndex];
  const px = Math.floor(x - frame.left);
  if (lane === undefined || pixels === undefined || px < 0 || px >= frame.width) return undefined;
  const inLane = y - AXIS_HEIGHT - laneIndex * LANE_HEIGHT;
  const site = (i: number): SourceLocation | undefined =>
    i === NONE ? undefined : snapshot.sites[i];
  const name = (i: number): string => (i === NONE ? "" : (snapshot.names[i] ?? ""));
  if (inLane >= STATE_HEIGHT) {
    const kind = inLane < STATE_HEIGHT + ROW_HEIGHT + 1 ? INTERVAL_HOLD : INTERVAL_WAIT;
    const row = kind === INTERVAL_HOLD ? pixels.holds : pixels.waits;
    const i = row[px] ?? NONE;
    if (i === NONE) return undefined;
    const iv = lane.intervals;
    const end = iv.end[i] ?? NONE;
    const verb = kind === INTERVAL_HOLD ? "holds" : "waits for";
    const span = `${formatTime(iv.start[i] ?? 0)} – ${end === NONE ? "now" : formatTime(end)}`;
    const where = site(iv.site[i] ?? NONE);
    return {
      text: `${lane.name} ${verb} ${name(iv.lock[i] ?? NONE)}\n${span}${where ? `\n${shortSite(where)}` : ""}`,
      location: where,
    };
  }
  const i = pixels.states.segment[px] ?? NONE;
  if (i === NONE) return undefined;
  const s = lane.segments;
  const state = THREAD_STATES[(s.state[i] ?? 0) - 1] ?? "running";
  const object = name(s.object[i] ?? NONE);
  const end = i + 1 < s.start.length ? (s.start[i + 1] ?? lane.until) : lane.until;
  const where = site(s.site[i] ?? NONE) ?? lastSite(snapshot, laneIndex, i);
  const label = object === "" ? state : `${state} on ${object}`;
  return {
    text: `${lane.name}: ${label}\n${formatTime(s.start[i] ?? 0)} – ${formatTime(end)}${where ? `\n${shortSite(where)}` : ""}`,
    location: where,
  };
}

/** The nearest earlier segment's site: where a run of "running" was last seen in the source. */
function lastSite(
  snapshot: ThreadsSnapshot,
  lane: number,
  before: number,
): SourceLocation | undefined {
  const s = snapshot.lanes[lane]?.segments;
  for (let i = before; s !== undefined && i >= 0; i--) {
    const site = s.site[i] ?? NONE;
    if (site !== NONE) return snapshot.sites[site];
  }
  return undefined;
}

export function shortSite(location: SourceLocation): string {
  const file = location.file.split(/[\\/]/).pop() ?? location.file;
  return `${file}:${location.line}`;
}
