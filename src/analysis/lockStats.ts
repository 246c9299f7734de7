// Lock statistics (Java Mission Control's lock profile): per lock or semaphore, how often it
// was taken, how often a taker had to wait, how long it was held (median, 99th percentile,
// longest) and how long takers waited. Pure: fed the run's events in order; the CLI's
// `--stats`, the JSON report's `lockStats` and the Locks view all show this one computation.
// Counts cover the recorded acquisitions: an uncontended take of a lock while its thread holds
// no other is not recorded (README "How it works"), so busy solo locks count fewer.
import type { TraceEvent } from "../protocol/events.ts";
import type { LockStats } from "../protocol/report.ts";
import { traitsOf } from "../protocol/kinds.ts";
import type { Dictionary } from "./dictionary.ts";
import type { AnalysisPass } from "./pass.ts";
import { unreachable } from "../protocol/unreachable.ts";
import { HoldTimes } from "./holdTimes.ts";

export { quantile } from "./holdTimes.ts";

interface OpenHold {
  readonly thread: number;
  depth: number;
  readonly since: number;
}

class LockRecord {
  acquisitions = 0;
  contended = 0;
  /** Bounded: exact up to a few thousand holds, a histogram after (holdTimes.ts). */
  readonly holds = new HoldTimes();
  readonly open: OpenHold[] = [];
  totalWait = 0;
  longestWait = 0;
}

/** The index of `thread`'s hold in `open`; -1 when it has none. */
function holdOf(open: readonly OpenHold[], thread: number): number {
  for (let i = 0; i < open.length; i++) if (open[i]?.thread === thread) return i;
  return -1;
}

export class LockStatsCollector implements AnalysisPass {
  readonly #locks = new Map<number, LockRecord>();
  /** Pending waits: thread → [lock, since]. */
  readonly #waits = new Map<number, readonly [number, number]>();
  #now = 0;

  observe(event: TraceEvent): void {
    this.#now = Math.max(this.#now, event.time);
    switch (event.kind) {
      case "acquire-request":
        this.#waits.set(event.thread, [event.object, event.time]);
        break;
      case "acquire-timeout":
        this.#endWait(event.thread, event.object, event.time);
        break;
      case "acquired": {
        const lock = this.#lock(event.object);
        lock.acquisitions++;
        if (this.#endWait(event.thread, event.object, event.time)) lock.contended++;
        // Loops, not find() and splice(): no allocation per event but the hold's own (a flood
        // runs millions of them through here).
        const at = holdOf(lock.open, event.thread);
        const mine = lock.open[at];
        if (mine !== undefined) mine.depth++;
        else lock.open.push({ thread: event.thread, depth: 1, since: event.time });
        break;
      }
      case "release": {
        const lock = this.#lock(event.object);
        // A semaphore may be released by a thread that holds no unit: the oldest hold ends.
        const at = Math.max(0, holdOf(lock.open, event.thread));
        const hold = lock.open[at];
        if (hold === undefined) break;
        if (--hold.depth > 0) break;
        lock.open.copyWithin(at, at + 1);
        lock.open.pop();
        lock.holds.add(Math.max(0, event.time - hold.since));
        break;
      }
      case "bad-release":
      case "clear":
      case "create":
      case "get":
      case "join-begin":
      case "join-end":
      case "loop-idle":
      case "notify":
      case "over-release":
      case "pool-misuse":
      case "put":
      case "set":
      case "task-done":
      case "terminate":
      case "thread-exit":
      case "thread-start":
      case "wait-begin":
      case "wait-end":
        break;
      default:
        unreachable(event);
    }
  }

  /** The figures now, for the locks and semaphores of `dict` that were taken or waited for. */
  stats(dict: Dictionary): LockStats[] {
    return this.statsById(dict).map(([, stats]) => stats);
  }

  /** stats() with each lock's object id, most contended first. */
  statsById(dict: Dictionary): [number, LockStats][] {
    const result: [number, LockStats][] = [];
    for (const [id, lock] of this.#locks) {
      const kind = dict.objectKind(id);
      if (kind === undefined || !traitsOf(kind).holdable) continue;
      const [holdP50 = 0, holdP99 = 0] = lock.holds.quantiles([0.5, 0.99]);
      // A hold still open counts up to now for the longest, not for the quantiles.
      const openLongest = Math.max(0, ...lock.open.map((h) => this.#now - h.since));
      const waiters: string[] = [];
      let waitNow = 0;
      let waitingNow = 0;
      for (const [thread, [waited, since]] of this.#waits) {
        if (waited !== id) continue;
        waiters.push(dict.threadName(thread));
        waitNow = Math.max(waitNow, this.#now - since);
        waitingNow += this.#now - since;
      }
      result.push([
        id,
        {
          lock: dict.objectName(id),
          kind,
          acquisitions: lock.acquisitions,
          contended: lock.contended,
          contention: lock.acquisitions === 0 ? 0 : lock.contended / lock.acquisitions,
          holdP50,
          holdP99,
          holdMax: Math.max(lock.holds.max, openLongest),
          waitTotal: lock.totalWait + waitingNow,
          waitMax: Math.max(lock.longestWait, waitNow),
          holders: lock.open.map((h) => dict.threadName(h.thread)),
          waiters,
        },
      ]);
    }
    // Names in code-unit order: localeCompare's first call loads ICU's collation (about 20 ms
    // of every recorded run's end, in its report).
    return result.sort(
      ([, a], [, b]) =>
        b.contention - a.contention || (a.lock < b.lock ? -1 : a.lock > b.lock ? 1 : 0),
    );
  }

  #lock(id: number): LockRecord {
    let lock = this.#locks.get(id);
    if (lock === undefined) {
      lock = new LockRecord();
      this.#locks.set(id, lock);
    }
    return lock;
  }

  /** Ends `thread`'s wait for `object`; whether it was waiting for it. */
  #endWait(thread: number, object: number, time: number): boolean {
    const wait = this.#waits.get(thread);
    if (wait === undefined || wait[0] !== object) return false;
    this.#waits.delete(thread);
    const lock = this.#lock(object);
    const waited = Math.max(0, time - wait[1]);
    lock.totalWait += waited;
    lock.longestWait = Math.max(lock.longestWait, waited);
    return true;
  }
}
