// A timed Atomics.wait recorded under the preload lasts as long as plain node's: its recording
// (a stack, a site, the wait's event and, for the first blocking wait, the recorder thread's
// start: a few milliseconds) comes out of its timeout.

/**
 * A timed wait's timeout less the time spent since `began`, never below 0 (atomic-sleep's suite
 * measures its 1 s sleep to 10 ms). Other values (none, Infinity, NaN, 0 or less, a non-number
 * that the original converts or rejects) are passed on as given.
 */
export function remainingOf(
  timeout: number | undefined,
  began: number,
  now = performance.now(),
): number | undefined {
  if (typeof timeout !== "number" || !(timeout > 0) || timeout === Infinity) return timeout;
  return Math.max(0, timeout - (now - began));
}
