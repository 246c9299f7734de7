// Stuck awaits (DESIGN 5.1's "all goroutines are asleep" for promises): an async-mutex
// acquisition or an Atomics.waitAsync keeps nothing alive, so when every logical thread of
// the main thread waits on one, Node drains the event loop and exits (silently, or with
// code 13 for a top-level await) instead of reporting the deadlock. At 'beforeExit' with
// such waits pending, this thread reports its loop idle (nothing left but those waits, which
// only other logical threads could end) and keeps the process up for a grace period, in
// which the recorder's online check finds the deadlock or hang and stops the program with
// its report. If it finds nothing, the program exits as it would have.
import { isMainThread } from "node:worker_threads";
import { traceLoopIdle } from "../trace.ts";
import { pendingWaits } from "./pendingWaits.ts";

const GRACE_MS = 1500;

export function watchStuckAwaits(): void {
  if (!isMainThread) return;
  let reportedAt = -1;
  process.on("beforeExit", () => {
    const pending = pendingWaits();
    // Once per stuck state: a second beforeExit with the same waits lets the program end.
    if (pending === 0 || pending === reportedAt) return;
    reportedAt = pending;
    traceLoopIdle(true);
    setTimeout(() => traceLoopIdle(false), GRACE_MS);
  });
}
