// How many instrumented waits of this OS thread are pending that keep nothing alive (an
// async-mutex acquisition, an Atomics.waitAsync): when the event loop drains while some are,
// the program would end silently in the middle of them (instrument/stuckAwaits.ts).
let pending = 0;

export function waitStarted(): void {
  pending++;
}

export function waitEnded(): void {
  pending--;
}

export function pendingWaits(): number {
  return pending;
}
