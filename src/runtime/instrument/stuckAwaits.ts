// Stuck awaits (DESIGN 5.1's "all goroutines are asleep" for promises): an async-mutex
// acquisition or an Atomics.waitAsync keeps nothing alive, so when every logical thread of a
// thread waits on one, Node drains its event loop and ends it (the main thread silently, or
// with code 13 for a top-level await; a worker silently, with code 0) instead of reporting the
// deadlock. At 'beforeExit' with such waits pending, the thread says its loop drained (nothing
// left but those waits); the analysis reports the waits it ends with (analysis/drainedWaits.ts).
// The main thread also keeps the process up for a grace period, once per stuck state, in which
// the recorder's online check finds the deadlock or hang among all threads and stops the
// program with its report (more telling than the drained waits alone). If it finds nothing,
// the program goes on ending as it would have.
//
// Nothing here may schedule work in a worker's beforeExit: the loop would run it and drain
// again, without end.
import { isMainThread } from "node:worker_threads";
import { traceLoopIdle } from "../trace.ts";
import { pendingWaits } from "./pendingWaits.ts";

const GRACE_MS = 1500;

export function watchStuckAwaits(): void {
  let reportedAt = -1;
  process.on("beforeExit", () => {
    const pending = pendingWaits();
    if (pending === 0) return;
    traceLoopIdle(true, true);
    // Once per stuck state: a second beforeExit with the same waits lets the program end.
    if (!isMainThread || pending === reportedAt) return;
    reportedAt = pending;
    setTimeout(() => traceLoopIdle(false), GRACE_MS);
  });
}
