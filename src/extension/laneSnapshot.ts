// One lane of a Threads view snapshot, bounded by the viewport: a lane with at most about two
// segments (or intervals) per pixel is sent as recorded; a longer one is aggregated per pixel
// of the viewport with the same function the page script draws with, so what the page draws
// is what it would have drawn from the full lane, at a size set by the view's width.
import { aggregateIntervals, aggregateStates, lastAtOrBefore } from "./timelineAggregation.ts";
import {
  INTERVAL_HOLD,
  INTERVAL_WAIT,
  NONE,
  type LaneIntervals,
  type LaneSegments,
  type SourceLocation,
} from "./webviewMessages.ts";

/** A lane as the model stores it: `object`, `lock` and `site` hold recorder ids (NONE: none). */
export interface LaneColumns {
  readonly segments: LaneSegments;
  readonly intervals: LaneIntervals;
}

/** Live updates come at most this often (ViewState also throttles the model's changes)... */
const LIVE_MIN_GAP_MS = 200;
/** ...plus 1 ms per this many segments and intervals in the last snapshot sent. */
const LIVE_ENTRIES_PER_MS = 200;

/** The least time between two live snapshots after `snapshot`: bigger ones come less often. */
export function liveUpdateGapMs(snapshot: { readonly lanes: readonly LaneData[] }): number {
  let entries = 0;
  for (const lane of snapshot.lanes) {
    entries += lane.segments.start.length + lane.intervals.start.length;
  }
  return LIVE_MIN_GAP_MS + entries / LIVE_ENTRIES_PER_MS;
}

/** Sent as is up to this many segments (or intervals) per pixel of the viewport. */
const EXACT_PER_PIXEL = 2;

/** The snapshot's string and site tables: recorder ids become small indexes, each sent once. */
export class SnapshotTables {
  readonly names: string[] = [];
  readonly sites: SourceLocation[] = [];
  readonly #nameIndex = new Map<number, number>();
  readonly #siteIndex = new Map<number, number>();

  constructor(
    private readonly nameOf: (object: number) => string,
    private readonly locationOf: (site: number) => SourceLocation | undefined,
  ) {}

  name(object: number): number {
    if (object === NONE) return NONE;
    let index = this.#nameIndex.get(object);
    if (index === undefined) {
      index = this.names.push(this.nameOf(object)) - 1;
      this.#nameIndex.set(object, index);
    }
    return index;
  }

  site(site: number): number {
    if (site === NONE) return NONE;
    let index = this.#siteIndex.get(site);
    if (index === undefined) {
      const location = this.locationOf(site);
      index = location === undefined ? NONE : this.sites.push(location) - 1;
      this.#siteIndex.set(site, index);
    }
    return index;
  }
}

export interface LaneData {
  readonly segments: LaneSegments;
  readonly until: number;
  readonly intervals: LaneIntervals;
}

export function laneSnapshot(
  lane: LaneColumns,
  now: number,
  range: { readonly start: number; readonly end: number },
  width: number,
  tables: SnapshotTables,
): LaneData {
  const limit = EXACT_PER_PIXEL * width;
  return {
    ...segmentsFor(lane.segments, now, range, width, limit, tables),
    intervals: intervalsFor(lane.intervals, now, range, width, limit, tables),
  };
}

function segmentsFor(
  s: LaneSegments,
  now: number,
  range: { readonly start: number; readonly end: number },
  width: number,
  limit: number,
  tables: SnapshotTables,
): { segments: LaneSegments; until: number } {
  const out: LaneSegments = { start: [], state: [], object: [], site: [] };
  const count = s.start.length;
  const first = Math.max(0, lastAtOrBefore(s.start, range.start));
  const after = lastAtOrBefore(s.start, range.end) + 1;
  if (count <= limit || after - first <= limit) {
    const [from, to] = count <= limit ? [0, count] : [first, after];
    for (let i = from; i < to; i++) {
      out.start.push(s.start[i] ?? 0);
      out.state.push(s.state[i] ?? 0);
      out.object.push(tables.name(s.object[i] ?? NONE));
      out.site.push(tables.site(s.site[i] ?? NONE));
    }
    return { segments: out, until: to < count ? (s.start[to] ?? now) : now };
  }
  const pixels = aggregateStates(s, now, range.start, range.end, width);
  const at = pixelTimes(range, width);
  for (let x = 0; x < width; x++) {
    const i = pixels.segment[x] ?? NONE;
    const state = pixels.state[x] ?? 0;
    const object = i === NONE ? NONE : tables.name(s.object[i] ?? NONE);
    const site = i === NONE ? NONE : tables.site(s.site[i] ?? NONE);
    const last = out.state.length - 1;
    if (last >= 0 && out.state[last] === state && out.object[last] === object) {
      if (out.site[last] === site) continue;
    }
    out.start.push(at(x));
    out.state.push(state);
    out.object.push(object);
    out.site.push(site);
  }
  return { segments: out, until: range.end };
}

function sameLock(iv: LaneIntervals, i: number, lock: number): boolean {
  return i === NONE ? lock === NONE : lock !== NONE && iv.lock[i] === lock;
}

/**
 * The time where pixel x begins, in whole microseconds when pixels are wider than that (a
 * shorter number in the message; rounding up keeps it in the same pixel).
 */
function pixelTimes(
  range: { readonly start: number; readonly end: number },
  width: number,
): (x: number) => number {
  const step = (range.end - range.start) / width;
  return step >= 2 ? (x) => Math.ceil(range.start + x * step) : (x) => range.start + x * step;
}

function intervalsFor(
  iv: LaneIntervals,
  now: number,
  range: { readonly start: number; readonly end: number },
  width: number,
  limit: number,
  tables: SnapshotTables,
): LaneIntervals {
  const out: LaneIntervals = { kind: [], lock: [], start: [], end: [], site: [] };
  const push = (i: number, start: number, end: number): void => {
    out.kind.push(iv.kind[i] ?? INTERVAL_HOLD);
    out.lock.push(tables.name(iv.lock[i] ?? NONE));
    out.start.push(start);
    out.end.push(end);
    out.site.push(tables.site(iv.site[i] ?? NONE));
  };
  const count = iv.start.length;
  const visible: number[] = [];
  for (let i = 0; i < count; i++) {
    const end = iv.end[i] ?? NONE;
    if ((iv.start[i] ?? 0) < range.end && (end === NONE || end >= range.start)) visible.push(i);
  }
  if (count <= limit || visible.length <= limit) {
    for (const i of count <= limit ? iv.start.keys() : visible) {
      push(i, iv.start[i] ?? 0, iv.end[i] ?? NONE);
    }
    return out;
  }
  const at = pixelTimes(range, width);
  for (const kind of [INTERVAL_HOLD, INTERVAL_WAIT]) {
    const pixels = aggregateIntervals(iv, kind, now, range.start, range.end, width);
    for (let x = 0; x < width;) {
      const i = pixels[x] ?? NONE;
      // One interval per run of pixels showing the same lock (merging its consecutive holds).
      const lock = i === NONE ? NONE : (iv.lock[i] ?? NONE);
      let next = x + 1;
      while (next < width && sameLock(iv, pixels[next] ?? NONE, lock)) next++;
      if (i !== NONE) {
        const last = pixels[next - 1] ?? i;
        const end = iv.end[last] ?? NONE;
        push(
          i,
          Math.max(iv.start[i] ?? 0, at(x)),
          end === NONE && next === width ? NONE : Math.min(end === NONE ? at(next) : end, at(next)),
        );
      }
      x = next;
    }
  }
  return out;
}
