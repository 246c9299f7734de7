// One sequence out of events recorded per OS thread. Within an OS thread the recording order
// is the truth (hot-path events carry a coarse clock that may lag the precise one, so times are
// not monotonic there); across OS threads we interleave by time, which is good enough for
// "who holds what now" and never used for happens-before (thread-start/join-end are).
import type { TraceEvent } from "../protocol/events.ts";
import type { Dictionary } from "./dictionary.ts";

/** Merges the per-OS-thread subsequences of `events` by time, keeping each one's order. */
export function mergeByHost(events: readonly TraceEvent[], dict: Dictionary): TraceEvent[] {
  const groups = new Map<number, TraceEvent[]>();
  for (const event of events) {
    const host = dict.hostOf(event.thread);
    let group = groups.get(host);
    if (group === undefined) {
      group = [];
      groups.set(host, group);
    }
    group.push(event);
  }
  if (groups.size <= 1) return [...events];
  return mergeByTime([...groups.values()]);
}

/**
 * Merges event lists by time, keeping each list's own order (program order within a thread is
 * what the analysis relies on; time only interleaves the threads). The earlier list wins ties.
 */
export function mergeByTime(lists: readonly (readonly TraceEvent[])[]): TraceEvent[] {
  const queues = lists.filter((l) => l.length > 0);
  if (queues.length <= 1) return [...(queues[0] ?? [])];
  const heads = queues.map(() => 0);
  const merged: TraceEvent[] = [];
  // k-way merge; k (OS threads) is small, so a linear scan per event is cheaper than a heap.
  for (;;) {
    let best = -1;
    let bestTime = Infinity;
    for (let q = 0; q < queues.length; q++) {
      const event = queues[q]?.[heads[q] ?? 0];
      if (event !== undefined && (best < 0 || event.time < bestTime)) {
        best = q;
        bestTime = event.time;
      }
    }
    if (best < 0) return merged;
    const queue = queues[best] ?? [];
    const at = heads[best] ?? 0;
    merged.push(queue[at] as TraceEvent);
    heads[best] = at + 1;
  }
}
