// The mutex under Lock and RLock: one shared int32 word, 0 free, 1 held, 2 held with waiters
// (Drepper's "futexes are tricky" mutex), so an uncontended acquire and release each cost one
// atomic read-modify-write and release only notifies when someone may be waiting.
import { rawNotify } from "./rawAtomics.ts";
import { parkAsync, parkSync } from "./parking.ts";
import { remaining } from "./validate.ts";

export const FREE = 0;
export const HELD = 1;
export const CONTENDED = 2;

export function tryLockWord(cell: Int32Array, index: number): boolean {
  return Atomics.compareExchange(cell, index, FREE, HELD) === FREE;
}

export function lockWordSync(
  cell: Int32Array,
  index: number,
  deadline: number,
  quiet = false,
): boolean {
  let c = Atomics.compareExchange(cell, index, FREE, HELD);
  if (c === FREE) return true;
  if (c !== CONTENDED) c = Atomics.exchange(cell, index, CONTENDED);
  while (c !== FREE) {
    if (
      parkSync(cell, index, CONTENDED, deadline, quiet) === "timed-out" &&
      remaining(deadline) === 0
    ) {
      return false;
    }
    c = Atomics.exchange(cell, index, CONTENDED);
  }
  return true;
}

export async function lockWordAsync(
  cell: Int32Array,
  index: number,
  deadline: number,
): Promise<boolean> {
  let c = Atomics.compareExchange(cell, index, FREE, HELD);
  if (c === FREE) return true;
  if (c !== CONTENDED) c = Atomics.exchange(cell, index, CONTENDED);
  while (c !== FREE) {
    if (
      (await parkAsync(cell, index, CONTENDED, deadline)) === "timed-out" &&
      remaining(deadline) === 0
    ) {
      return false;
    }
    c = Atomics.exchange(cell, index, CONTENDED);
  }
  return true;
}

/**
 * Frees the word; wakes one waiter if any may be parked. Returns false if it was already free
 * (the check rides on the exchange: a separate load would cost a third of an uncontended
 * acquire/release pair).
 */
export function unlockWord(cell: Int32Array, index: number): boolean {
  const previous = Atomics.exchange(cell, index, FREE);
  if (previous === CONTENDED) rawNotify(cell, index, 1);
  return previous !== FREE;
}

/** Takes a free word marking it contended (the taker cannot know whether others still wait). */
export function tryLockWordContended(cell: Int32Array, index: number): boolean {
  return Atomics.compareExchange(cell, index, FREE, CONTENDED) === FREE;
}

/** Waits (without taking it) until the word may be free, or `deadline`. */
export async function waitWhileHeldAsync(
  cell: Int32Array,
  index: number,
  deadline: number,
): Promise<void> {
  if (Atomics.compareExchange(cell, index, HELD, CONTENDED) === FREE) return;
  await parkAsync(cell, index, CONTENDED, deadline);
}
