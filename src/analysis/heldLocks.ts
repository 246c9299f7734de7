// The holds of one thread, by object, in the order they were taken. An array, not a Map: a
// thread holds a few locks at a time, and every acquisition and release of the run goes
// through here, where a Map's hashing and the rehashing its deletes cause cost more than a
// scan of a few entries. (The lock-order graph looks at all of a thread's holds on each new
// nesting anyway, so a thread holding many locks costs the same order as before.)

import { removeAt } from "./arrays.ts";

/** One thread's hold on a lock (RLock depth, or semaphore units, in `count`). */
export interface Hold {
  readonly thread: number;
  readonly object: number;
  count: number;
  /** Where the outermost level was taken (0 when not captured). */
  readonly site: number;
  readonly since: number;
  /** A shared hold (a read lock): it excludes only exclusive acquisitions. */
  readonly shared?: boolean;
}

export class HeldLocks {
  readonly #holds: Hold[] = [];

  get size(): number {
    return this.#holds.length;
  }

  get(object: number): Hold | undefined {
    const holds = this.#holds;
    for (let i = 0; i < holds.length; i++) {
      const hold = holds[i] as Hold;
      if (hold.object === object) return hold;
    }
    return undefined;
  }

  has(object: number): boolean {
    return this.get(object) !== undefined;
  }

  /** Adds a hold on an object not held yet; it comes last in the order. */
  add(hold: Hold): void {
    this.#holds.push(hold);
  }

  /** Removes the hold on `object`; whether there was one. */
  delete(object: number): boolean {
    const holds = this.#holds;
    for (let i = 0; i < holds.length; i++) {
      if ((holds[i] as Hold).object !== object) continue;
      removeAt(holds, i);
      return true;
    }
    return false;
  }

  /** The holds, oldest first. */
  values(): IterableIterator<Hold> {
    return this.#holds.values();
  }

  /** The objects held, in the order they were taken. */
  keys(): IterableIterator<number> {
    return this.#holds.map((hold) => hold.object).values();
  }
}
