// The timeline canvas: one pane per thread (its state band, then a row of the locks it holds,
// named where they fit, and one of the locks it waits for) on a shared time axis with ticks at
// round times. A thread of the deadlock cycle draws its blocked state in the cycle's colour.
// Each frame aggregates every lane per pixel (timelineAggregation.ts) and keeps those pixels,
// so hover and click find the segment or interval under the pointer without searching again.
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
import { handovers } from "./handovers.ts";
import { processHeaders } from "./processHeaders.ts";

export const AXIS_HEIGHT = 18;
const STATE_HEIGHT = 14;
const ROW_HEIGHT = 9;
/** State band, hold row, wait row and a gap. */
export const LANE_HEIGHT = STATE_HEIGHT + 2 * ROW_HEIGHT + 6;

/**
 * One colour per kind of state the legend names: running, blocked on a lock, waiting on a
 * condition/event/queue/join, sleeping; joining shares the waiting colour (a join is a wait).
 */
export const STATE_COLORS: Readonly<Record<ThreadState, string>> = {
  exited: "rgba(128,128,128,0.25)",
  running: "#3c9d5d",
  sleeping: "#7f8fb8",
  joining: "#e0a030",
  waiting: "#e0a030",
  blocked: "#d9413a",
};
/** A blocked state of a thread in the deadlock cycle. */
export const CYCLE_COLOR = "#b01c8e";
const WAIT_COLOR = "#d9413a";
/** "Unblocked by" arrows. */
export const HANDOVER_COLOR = "#2b7bd0";

/** The legend's entries, in its order: [label, colour]. */
export const LEGEND: readonly (readonly [string, string])[] = [
  ["running", STATE_COLORS.running],
  ["blocked on a lock", STATE_COLORS.blocked],
  ["waiting (condition, event, queue, join)", STATE_COLORS.waiting],
  ["sleeping", STATE_COLORS.sleeping],
  ["in the deadlock cycle", CYCLE_COLOR],
];
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
  drawTicks(ctx, from, to, left, width, foreground);
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
    const lastSegment = lane.segments.start.length - 1;
    for (const [x, code, end] of spans(pixels.states.state)) {
      const state = THREAD_STATES[code - 1];
      if (state === undefined) continue;
      const current = pixels.states.segment[end - 1] === lastSegment;
      ctx.fillStyle =
        lane.inCycle && current && state === "blocked" ? CYCLE_COLOR : STATE_COLORS[state];
      ctx.fillRect(left + x, y + 1, end - x, STATE_HEIGHT - 2);
    }
    const lockOf = (i: number): number => (i === NONE ? NONE : (lane.intervals.lock[i] ?? NONE));
    const rowY = y + STATE_HEIGHT + 1;
    for (const [x, lock, end] of spans(Array.from(pixels.holds, lockOf))) {
      if (lock === NONE) continue;
      ctx.fillStyle = LOCK_COLORS[lock % LOCK_COLORS.length] ?? foreground;
      ctx.fillRect(left + x, rowY, end - x, ROW_HEIGHT);
      barLabel(ctx, snapshot?.names[lock] ?? "", left + x, end - x, rowY + ROW_HEIGHT / 2);
    }
    const waitY = rowY + ROW_HEIGHT + 1;
    for (const [x, lock, end] of spans(Array.from(pixels.waits, lockOf))) {
      if (lock === NONE) continue;
      ctx.fillStyle = lane.inCycle ? CYCLE_COLOR : WAIT_COLOR;
      ctx.fillRect(left + x, waitY, end - x, ROW_HEIGHT);
      barLabel(ctx, `→ ${snapshot?.names[lock] ?? ""}`, left + x, end - x, waitY + ROW_HEIGHT / 2);
    }
    return pixels;
  });
  drawProcessHeaders(ctx, snapshot, left, width, foreground);
  if (snapshot !== undefined) drawHandovers(ctx, snapshot, from, to, left, width);
  return { from, to, left, width, lanes };
}

/**
 * A run of several processes: a rule above each process's first lane, and the process's name
 * under that lane's own name (the label column's hold and wait rows are otherwise empty), so
 * the lanes keep their places (hover, click and the tests' lane geometry are unchanged).
 */
function drawProcessHeaders(
  ctx: CanvasRenderingContext2D,
  snapshot: ThreadsSnapshot | undefined,
  left: number,
  width: number,
  foreground: string,
): void {
  const font = ctx.font;
  ctx.font = "italic 9px sans-serif";
  ctx.fillStyle = foreground;
  for (const header of processHeaders(snapshot?.lanes ?? [])) {
    const y = AXIS_HEIGHT + header.lane * LANE_HEIGHT;
    ctx.globalAlpha = 0.6;
    if (header.lane > 0) ctx.fillRect(0, y - 3, left + width, 1);
    ctx.fillText(fitText(ctx, header.label, left - 4), 2, y + STATE_HEIGHT + ROW_HEIGHT / 2 + 1);
    ctx.globalAlpha = 1;
  }
  ctx.font = font;
}

/** Past this many visible hand-overs the arrows would hide the lanes: none are drawn. */
const MAX_ARROWS = 400;

/** Release → acquisition arrows, from the holder's hold row to the waiter's state band. */
function drawHandovers(
  ctx: CanvasRenderingContext2D,
  snapshot: ThreadsSnapshot,
  from: number,
  to: number,
  left: number,
  width: number,
): void {
  const visible = handovers(snapshot).filter((h) => h.acquiredAt >= from && h.releasedAt <= to);
  if (visible.length > MAX_ARROWS) return;
  const x = (t: number): number => left + ((t - from) / (to - from)) * width;
  ctx.strokeStyle = HANDOVER_COLOR;
  ctx.fillStyle = HANDOVER_COLOR;
  ctx.lineWidth = 1;
  for (const h of visible) {
    const x1 = x(h.releasedAt);
    const y1 = AXIS_HEIGHT + h.fromLane * LANE_HEIGHT + STATE_HEIGHT + ROW_HEIGHT / 2;
    const x2 = x(h.acquiredAt);
    const y2 = AXIS_HEIGHT + h.toLane * LANE_HEIGHT + STATE_HEIGHT / 2;
    ctx.beginPath();
    ctx.moveTo(x1, y1);
    ctx.lineTo(x2, y2);
    ctx.stroke();
    const angle = Math.atan2(y2 - y1, x2 - x1);
    ctx.beginPath();
    ctx.moveTo(x2, y2);
    ctx.lineTo(x2 - 6 * Math.cos(angle - 0.4), y2 - 6 * Math.sin(angle - 0.4));
    ctx.lineTo(x2 - 6 * Math.cos(angle + 0.4), y2 - 6 * Math.sin(angle + 0.4));
    ctx.fill();
  }
}

/** A lock's name inside its bar, when the bar is wide enough for it. */
function barLabel(ctx: CanvasRenderingContext2D, text: string, x: number, w: number, y: number) {
  if (text === "" || w < 24) return;
  const font = ctx.font;
  ctx.font = "9px sans-serif";
  if (ctx.measureText(text).width + 4 <= w) {
    ctx.fillStyle = "#fff";
    ctx.fillText(text, x + 2, y + 0.5);
  }
  ctx.font = font;
}

/** A round step (1, 2 or 5 × 10^k µs) that gives about one tick per `pixels` of axis. */
export function tickStep(span: number, width: number, pixels = 90): number {
  const rough = (span * pixels) / Math.max(1, width);
  const power = 10 ** Math.floor(Math.log10(Math.max(rough, 1e-9)));
  for (const m of [1, 2, 5, 10]) if (m * power >= rough) return m * power;
  return 10 * power;
}

/** Ticks at round times, each labelled at the precision the step needs. */
function drawTicks(
  ctx: CanvasRenderingContext2D,
  from: number,
  to: number,
  left: number,
  width: number,
  foreground: string,
): void {
  const step = tickStep(to - from, width);
  ctx.strokeStyle = foreground;
  ctx.globalAlpha = 0.5;
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) {
    const x = left + ((t - from) / (to - from)) * width;
    ctx.fillRect(x, AXIS_HEIGHT - 5, 1, 4);
    const label = formatTime(t, step);
    const w = ctx.measureText(label).width;
    if (x - w / 2 < left || x + w / 2 > left + width) continue;
    ctx.globalAlpha = 1;
    ctx.textAlign = "center";
    ctx.fillText(label, x, 7);
    ctx.globalAlpha = 0.5;
  }
  ctx.globalAlpha = 1;
  ctx.textAlign = "left";
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

/** A time for people; with `step`, as many decimals as ticks that far apart need. */
export function formatTime(us: number, step = 0): string {
  const decimals = (unit: number): number =>
    step <= 0
      ? unit === 1
        ? 0
        : unit === 1_000
          ? 1
          : 2
      : Math.max(0, Math.ceil(-Math.log10(step / unit)));
  if (Math.abs(us) >= 1_000_000) return `${(us / 1_000_000).toFixed(decimals(1_000_000))} s`;
  if (Math.abs(us) >= 1_000) return `${(us / 1_000).toFixed(decimals(1_000))} ms`;
  return `${us.toFixed(decimals(1))} µs`;
}

/** What is under a point of the timeline canvas: text for the tooltip, a site to open. */
export interface TimelineHit {
  readonly text: string;
  readonly location: SourceLocation | undefined;
  readonly lane: number;
  /** The state segment, or the hold/wait interval, under the point. */
  readonly segment?: number;
  readonly interval?: number;
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
      lane: laneIndex,
      interval: i,
    };
  }
  const i = pixels.states.segment[px] ?? NONE;
  if (i === NONE) return undefined;
  const s = lane.segments;
  // Code 0 is "no data" (past the run's end in a pixel-aggregated lane): nothing to explain.
  const state = THREAD_STATES[(s.state[i] ?? 0) - 1];
  if (state === undefined) return undefined;
  const object = name(s.object[i] ?? NONE);
  const end = i + 1 < s.start.length ? (s.start[i + 1] ?? lane.until) : lane.until;
  const where = site(s.site[i] ?? NONE) ?? lastSite(snapshot, laneIndex, i);
  const cycle = lane.inCycle && state === "blocked" && i === s.start.length - 1;
  const label = `${cycle ? "deadlocked" : state}${object === "" ? "" : ` on ${object}`}`;
  return {
    text: `${lane.name}: ${label}\n${formatTime(s.start[i] ?? 0)} – ${formatTime(end)}${where ? `\n${shortSite(where)}` : ""}`,
    location: where,
    lane: laneIndex,
    segment: i,
  };
}

/** The nearest earlier segment's site: where a run of "running" was last seen in the source. */
export function lastSite(
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
