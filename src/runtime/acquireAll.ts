// acquireAll([a, b, ...]): several locks at once, all or nothing, always in one global order
// (by id), so two callers that need the same locks cannot deadlock on each other.
import { ArgumentError } from "./errors.ts";
import type { AnyLock, LockGuard } from "./lock.ts";
import { Lock, RLock } from "./lock.ts";
import { deadlineOf, remaining, type TimeoutOptions } from "./validate.ts";
import { LockStateError } from "./errors.ts";

function ordered(api: string, locks: unknown): AnyLock[] {
  if (!Array.isArray(locks) || locks.some((l) => !(l instanceof Lock) && !(l instanceof RLock))) {
    throw new ArgumentError(`${api}: expected an array of Lock or RLock`);
  }
  return [...new Set(locks as AnyLock[])].sort((a, b) => a.id - b.id);
}

function guardOf(held: AnyLock[]): LockGuard {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    for (const lock of [...held].reverse()) lock.release();
  };
  return { release, [Symbol.dispose]: release };
}

/** Takes every lock (in id order) and returns a guard releasing them all: `using _ = await acquireAll([a, b])`. */
export async function acquireAll(
  locks: readonly AnyLock[],
  options?: TimeoutOptions,
): Promise<LockGuard> {
  const sorted = ordered("acquireAll", locks);
  const deadline = deadlineOf("acquireAll", options);
  const held: AnyLock[] = [];
  for (const lock of sorted) {
    const ok = await lock.acquire(
      deadline === Infinity ? undefined : { timeout: remaining(deadline) },
    );
    if (!ok) {
      for (const h of held.reverse()) h.release();
      throw new LockStateError(`acquireAll timed out waiting for ${lock.name}`);
    }
    held.push(lock);
  }
  return guardOf(held);
}

/** Sync variant of acquireAll(): blocks the thread. */
export function acquireAllSync(locks: readonly AnyLock[], options?: TimeoutOptions): LockGuard {
  const sorted = ordered("acquireAllSync", locks);
  const deadline = deadlineOf("acquireAllSync", options);
  const held: AnyLock[] = [];
  for (const lock of sorted) {
    if (!lock.acquireSync(deadline === Infinity ? undefined : { timeout: remaining(deadline) })) {
      for (const h of held.reverse()) h.release();
      throw new LockStateError(`acquireAllSync timed out waiting for ${lock.name}`);
    }
    held.push(lock);
  }
  return guardOf(held);
}
