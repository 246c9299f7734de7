// Hand-overs ("unblocked by", as the Concurrency Visualizer draws them): a thread that waited
// for a lock got it when another thread released it; the release that ended the wait is the
// latest release of that lock by another thread within the wait. Drawn as arrows from the
// holder's release to the waiter's acquisition, and named in the details panel.
import {
  INTERVAL_HOLD,
  INTERVAL_WAIT,
  NONE,
  type ThreadsSnapshot,
} from "../../src/extension/webviewMessages.ts";

export interface Handover {
  /** Lane index and time of the release. */
  readonly fromLane: number;
  readonly releasedAt: number;
  /** Lane index and time the waiter got the lock. */
  readonly toLane: number;
  readonly acquiredAt: number;
  /** Index into the snapshot's names. */
  readonly lock: number;
}

/** Per lock name index: [release time, lane] of every ended hold, by time. */
function releasesByLock(snapshot: ThreadsSnapshot): Map<number, [number, number][]> {
  const byLock = new Map<number, [number, number][]>();
  snapshot.lanes.forEach((lane, laneIndex) => {
    const iv = lane.intervals;
    for (let i = 0; i < iv.kind.length; i++) {
      const end = iv.end[i] ?? NONE;
      if (iv.kind[i] !== INTERVAL_HOLD || end === NONE) continue;
      const lock = iv.lock[i] ?? NONE;
      let list = byLock.get(lock);
      if (list === undefined) byLock.set(lock, (list = []));
      list.push([end, laneIndex]);
    }
  });
  for (const list of byLock.values()) list.sort((a, b) => a[0] - b[0]);
  return byLock;
}

/** The release by another lane that ended lane `laneIndex`'s wait interval `i`, if any. */
function releaseFor(
  releases: Map<number, [number, number][]>,
  snapshot: ThreadsSnapshot,
  laneIndex: number,
  i: number,
): Handover | undefined {
  const iv = snapshot.lanes[laneIndex]?.intervals;
  if (iv === undefined || iv.kind[i] !== INTERVAL_WAIT) return undefined;
  const end = iv.end[i] ?? NONE;
  const lock = iv.lock[i] ?? NONE;
  const list = releases.get(lock);
  if (end === NONE || list === undefined) return undefined;
  const start = iv.start[i] ?? 0;
  for (let k = list.length - 1; k >= 0; k--) {
    const [at, lane] = list[k] ?? [0, 0];
    if (at > end || lane === laneIndex) continue;
    if (at < start) break;
    return { fromLane: lane, releasedAt: at, toLane: laneIndex, acquiredAt: end, lock };
  }
  return undefined;
}

/** Every hand-over of the snapshot's ended waits. */
export function handovers(snapshot: ThreadsSnapshot): Handover[] {
  const releases = releasesByLock(snapshot);
  const found: Handover[] = [];
  snapshot.lanes.forEach((lane, laneIndex) => {
    for (let i = 0; i < lane.intervals.kind.length; i++) {
      const h = releaseFor(releases, snapshot, laneIndex, i);
      if (h !== undefined) found.push(h);
    }
  });
  return found;
}

/** Who unblocked lane `laneIndex` from its wait interval `i`: the hand-over, if one is seen. */
export function unblockedBy(
  snapshot: ThreadsSnapshot,
  laneIndex: number,
  i: number,
): Handover | undefined {
  return releaseFor(releasesByLock(snapshot), snapshot, laneIndex, i);
}
