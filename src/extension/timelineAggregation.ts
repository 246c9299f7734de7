// Per-pixel aggregation of a lane's states and lock intervals: what one pixel column of the
// timeline shows when many events share it. Pure and allocation-light, shared by the webview's
// page script (every frame), the trace model (to bound the snapshots it sends) and the bench.
// Cost is linear in the segments of the range plus the pixels they cover.
import { NONE, type LaneIntervals, type LaneSegments } from "./webviewMessages.ts";

/** Per pixel: the winning state code (0: no data) and the index of the segment that won. */
export interface StatePixels {
  readonly state: Uint8Array;
  readonly segment: Int32Array;
}

/** Per pixel: the index of the interval shown there, or NONE. */
export type IntervalPixels = Int32Array;

/** Index of the last entry of ascending `values` that is <= `t` (or -1). */
export function lastAtOrBefore(values: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = values.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] ?? 0) <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** The pixel span [first, last) of the time interval [start, end) on a `width`-pixel axis. */
function pixelSpan(
  start: number,
  end: number,
  from: number,
  scale: number,
  width: number,
): [number, number] {
  const first = Math.floor((start - from) * scale);
  const last = Math.max(Math.ceil((end - from) * scale), first + 1);
  return [Math.max(0, first), Math.min(width, last)];
}

/**
 * The state each pixel of [from, to) shows: the highest-priority state of the segments that
 * overlap it (a segment covers at least one pixel, so a blip never disappears).
 */
export function aggregateStates(
  segments: LaneSegments,
  until: number,
  from: number,
  to: number,
  width: number,
): StatePixels {
  const pixels: StatePixels = {
    state: new Uint8Array(width),
    segment: new Int32Array(width).fill(NONE),
  };
  const count = segments.start.length;
  if (count === 0 || to <= from || width <= 0) return pixels;
  const scale = width / (to - from);
  for (let i = Math.max(0, lastAtOrBefore(segments.start, from)); i < count; i++) {
    const start = segments.start[i] ?? 0;
    if (start >= to) break;
    const end = i + 1 < count ? (segments.start[i + 1] ?? until) : until;
    if (end <= from && end !== start) continue;
    const code = segments.state[i] ?? 0;
    const [first, last] = pixelSpan(start, end, from, scale, width);
    for (let x = first; x < last; x++) {
      if ((pixels.state[x] ?? 0) < code) {
        pixels.state[x] = code;
        pixels.segment[x] = i;
      }
    }
  }
  return pixels;
}

/**
 * Which interval of `kind` each pixel of [from, to) shows: the latest-started one covering it
 * (the innermost of nested holds). Open intervals (end NONE) last until `now`.
 */
export function aggregateIntervals(
  intervals: LaneIntervals,
  kind: number,
  now: number,
  from: number,
  to: number,
  width: number,
): IntervalPixels {
  const pixels: IntervalPixels = new Int32Array(width).fill(NONE);
  if (to <= from || width <= 0) return pixels;
  const scale = width / (to - from);
  const count = intervals.start.length;
  for (let i = 0; i < count; i++) {
    if (intervals.kind[i] !== kind) continue;
    const start = intervals.start[i] ?? 0;
    const recordedEnd = intervals.end[i] ?? NONE;
    const end = recordedEnd === NONE ? Math.max(now, start) : recordedEnd;
    if (start >= to || (end <= from && end !== start)) continue;
    const [first, last] = pixelSpan(start, end, from, scale, width);
    for (let x = first; x < last; x++) {
      const shown = pixels[x] ?? NONE;
      if (shown === NONE || (intervals.start[shown] ?? 0) <= start) pixels[x] = i;
    }
  }
  return pixels;
}

/** Runs of equal values: [start pixel, value] pairs, in order, for drawing one rect per run. */
export function pixelRuns(values: ArrayLike<number>): [number, number][] {
  const runs: [number, number][] = [];
  for (let x = 0; x < values.length; x++) {
    const v = values[x] ?? 0;
    if (runs.length === 0 || runs[runs.length - 1]?.[1] !== v) runs.push([x, v]);
  }
  return runs;
}
