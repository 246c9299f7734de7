// The details panel of a selected timeline segment or lock interval: the thread, its state or
// what it held/waited for, from when to when and how long, where in the source, and for a
// wait that ended, who unblocked it (the release that handed the lock over).
import {
  INTERVAL_HOLD,
  INTERVAL_WAIT,
  NONE,
  THREAD_STATES,
  type SourceLocation,
  type ThreadsSnapshot,
} from "../../src/extension/webviewMessages.ts";
import { unblockedBy } from "./handovers.ts";
import { formatTime, lastSite, shortSite, type TimelineHit } from "./timelineDraw.ts";

export interface Details {
  readonly lines: readonly string[];
  readonly location: SourceLocation | undefined;
}

/** The wait interval of a lane that covers time `t` (a blocked segment's wait), or NONE. */
function waitAt(snapshot: ThreadsSnapshot, lane: number, t: number): number {
  const iv = snapshot.lanes[lane]?.intervals;
  if (iv === undefined) return NONE;
  for (let i = 0; i < iv.kind.length; i++) {
    const end = iv.end[i] ?? NONE;
    if (iv.kind[i] === INTERVAL_WAIT && (iv.start[i] ?? 0) <= t && (end === NONE || t < end))
      return i;
  }
  return NONE;
}

function span(start: number, end: number | undefined): string {
  if (end === undefined) return `${formatTime(start)} – now (still going)`;
  return `${formatTime(start)} – ${formatTime(end)} (${formatTime(end - start)})`;
}

export function details(snapshot: ThreadsSnapshot, hit: TimelineHit): Details | undefined {
  const lane = snapshot.lanes[hit.lane];
  if (lane === undefined) return undefined;
  const name = (i: number): string => (i === NONE ? "" : (snapshot.names[i] ?? ""));
  const site = (i: number): SourceLocation | undefined =>
    i === NONE ? undefined : snapshot.sites[i];
  const lines = [`Thread ${lane.name}${lane.reason ? ` — now ${lane.reason}` : ""}`];
  // A run of several processes: in which one.
  if (snapshot.lanes.some((l) => l.process !== lane.process)) lines.push(`In ${lane.process}`);
  let location: SourceLocation | undefined;
  let wait = NONE;
  if (hit.interval !== undefined) {
    const iv = lane.intervals;
    const i = hit.interval;
    const end = iv.end[i] ?? NONE;
    const held = iv.kind[i] === INTERVAL_HOLD;
    lines.push(`${held ? "Held" : "Waited for"} ${name(iv.lock[i] ?? NONE)}`);
    lines.push(span(iv.start[i] ?? 0, end === NONE ? undefined : end));
    location = site(iv.site[i] ?? NONE);
    if (!held) wait = i;
  } else if (hit.segment !== undefined) {
    const s = lane.segments;
    const i = hit.segment;
    const state = THREAD_STATES[(s.state[i] ?? 0) - 1] ?? "running";
    const object = name(s.object[i] ?? NONE);
    const last = i + 1 >= s.start.length;
    const end = last ? undefined : (s.start[i + 1] ?? lane.until);
    const cycle = last && lane.inCycle && state === "blocked";
    lines.push(`State: ${cycle ? "deadlocked" : state}${object === "" ? "" : ` on ${object}`}`);
    lines.push(span(s.start[i] ?? 0, end));
    location = site(s.site[i] ?? NONE) ?? lastSite(snapshot, hit.lane, i);
    if (state === "blocked") wait = waitAt(snapshot, hit.lane, s.start[i] ?? 0);
  }
  if (location !== undefined) lines.push(`At ${shortSite(location)}`);
  if (wait !== NONE) {
    const h = unblockedBy(snapshot, hit.lane, wait);
    const iv = lane.intervals;
    if (h !== undefined) {
      const by = snapshot.lanes[h.fromLane]?.name ?? "?";
      lines.push(
        `Unblocked by ${by}, which released ${name(h.lock)} at ${formatTime(h.releasedAt)}`,
      );
    } else if ((iv.end[wait] ?? NONE) === NONE) {
      lines.push("Not unblocked: still waiting");
    }
  }
  return { lines, location };
}
