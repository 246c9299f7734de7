// Who notifies which Atomics address, and after which of its own waits: what the hang needs to
// name a mutual wait between two threads that hand a turn back and forth through shared words.
//
// Recorded facts only (instrument/atomics.ts): an untimed or timed wait that blocked
// (wait-begin with its site, wait-end with flag = woken by a notify), and Atomics.notify per
// thread and address. A notify "follows" a wait when that wait was the thread's latest one to be
// woken: in the thread's program order the notify came after returning from it. Waits that
// timed out (a sleep written as a timed wait) are not turns handed over, so they do not count.
import type { TraceEvent } from "../protocol/events.ts";
import { unreachable } from "../protocol/unreachable.ts";

/** A wait at `site` on `object`. */
export interface WaitPlace {
  readonly object: number;
  readonly site: number;
}

export class AtomicsHandovers {
  /** address -> the threads that ever notified it. */
  readonly #notifiers = new Map<number, Set<number>>();
  /** thread -> the wait it is in, or was last in. */
  readonly #waits = new Map<number, WaitPlace>();
  /** thread -> its latest wait that a notify ended. */
  readonly #lastWoken = new Map<number, WaitPlace>();
  /** "thread:waitObject:waitSite:notified" for each notify that followed such a wait. */
  readonly #notifiedAfter = new Set<string>();

  observe(event: TraceEvent): void {
    switch (event.kind) {
      case "wait-begin":
        this.#waits.set(event.thread, { object: event.object, site: event.site });
        break;
      case "wait-end": {
        const wait = this.#waits.get(event.thread);
        if (event.flag && wait?.object === event.object) this.#lastWoken.set(event.thread, wait);
        break;
      }
      case "notify": {
        let notifiers = this.#notifiers.get(event.object);
        if (notifiers === undefined) {
          notifiers = new Set();
          this.#notifiers.set(event.object, notifiers);
        }
        notifiers.add(event.thread);
        const woken = this.#lastWoken.get(event.thread);
        if (woken !== undefined) {
          this.#notifiedAfter.add(`${event.thread}:${woken.object}:${woken.site}:${event.object}`);
        }
        break;
      }
      case "acquire-request":
      case "acquire-timeout":
      case "acquired":
      case "bad-release":
      case "clear":
      case "create":
      case "get":
      case "join-begin":
      case "join-end":
      case "loop-idle":
      case "over-release":
      case "pool-misuse":
      case "put":
      case "release":
      case "set":
      case "task-done":
      case "terminate":
      case "thread-exit":
      case "thread-start":
        break;
      default:
        unreachable(event);
    }
  }

  /** The one thread that ever notified `address`, if exactly one did. */
  soleNotifier(address: number): number | undefined {
    const notifiers = this.#notifiers.get(address);
    return notifiers?.size === 1 ? [...notifiers][0] : undefined;
  }

  /** No thread but `thread` ever notified `address` (nobody did yet, or only it). */
  notifiedOnlyBy(address: number, thread: number): boolean {
    const notifiers = this.#notifiers.get(address);
    return notifiers === undefined || (notifiers.size === 1 && notifiers.has(thread));
  }

  /** `thread` notified `address` after returning from a wait at `place`. */
  notifiedAfter(thread: number, place: WaitPlace, address: number): boolean {
    return this.#notifiedAfter.has(`${thread}:${place.object}:${place.site}:${address}`);
  }
}

/** A blocked thread and the Atomics wait it is in. */
export interface AtomicsWaiter {
  readonly thread: number;
  readonly place: WaitPlace;
}

/**
 * Pairs of threads that wait for each other: each waits on an address that only the other has
 * ever notified, and the other did so after returning from a wait at the very place where it
 * now waits. So each would notify the other only once its own wait returns.
 */
export function mutualWaits(
  handovers: AtomicsHandovers,
  waiters: readonly AtomicsWaiter[],
): [AtomicsWaiter, AtomicsWaiter][] {
  const byThread = new Map(waiters.map((w) => [w.thread, w]));
  const wakerOf = (waiter: AtomicsWaiter): AtomicsWaiter | undefined => {
    const notifier = handovers.soleNotifier(waiter.place.object);
    const other = notifier === undefined ? undefined : byThread.get(notifier);
    if (other === undefined || other.thread === waiter.thread) return undefined;
    return handovers.notifiedAfter(other.thread, other.place, waiter.place.object)
      ? other
      : undefined;
  };
  const pairs: [AtomicsWaiter, AtomicsWaiter][] = [];
  for (const waiter of waiters) {
    const other = wakerOf(waiter);
    if (other !== undefined && other.thread > waiter.thread && wakerOf(other) === waiter) {
      pairs.push([waiter, other]);
    }
  }
  return pairs;
}
