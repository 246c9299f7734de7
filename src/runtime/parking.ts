// Waiting on a shared word: Atomics.wait for Sync callers (blocks the thread), Atomics.waitAsync
// for async ones (the event loop keeps running). Pending waitAsync calls do not keep Node's
// event loop alive, so a thread whose only work is an async wait would exit in the middle of
// it; a ref'd timer is held while any async wait of this thread is pending, as a blocked
// thread stays alive in every thread library.
import { remaining } from "./validate.ts";

export type ParkResult = "ok" | "not-equal" | "timed-out";

let pendingAsyncWaits = 0;
let keepAlive: ReturnType<typeof setInterval> | undefined;

function holdLoop(): void {
  if (pendingAsyncWaits++ === 0) keepAlive = setInterval(() => undefined, 1 << 30);
}

function releaseLoop(): void {
  if (--pendingAsyncWaits === 0 && keepAlive !== undefined) {
    clearInterval(keepAlive);
    keepAlive = undefined;
  }
}

/** Blocks this thread while `cell[index] === expected`, until notified or `deadline`. */
export function parkSync(
  cell: Int32Array,
  index: number,
  expected: number,
  deadline: number,
): ParkResult {
  const left = remaining(deadline);
  if (left === 0) return "timed-out";
  return Atomics.wait(cell, index, expected, left);
}

/** Waits without blocking while `cell[index] === expected`, until notified or `deadline`. */
export async function parkAsync(
  cell: Int32Array,
  index: number,
  expected: number,
  deadline: number,
): Promise<ParkResult> {
  const left = remaining(deadline);
  if (left === 0) return "timed-out";
  const result = Atomics.waitAsync(cell, index, expected, left);
  if (!result.async) return result.value;
  holdLoop();
  try {
    return await result.value;
  } finally {
    releaseLoop();
  }
}
