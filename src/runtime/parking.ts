// Waiting on a shared word: Atomics.wait for Sync callers (blocks the thread), Atomics.waitAsync
// for async ones (the event loop keeps running). Pending waitAsync calls do not keep Node's
// event loop alive, so a thread whose only work is an async wait would exit in the middle of
// it; a ref'd timer is held while any async wait of this thread is pending, as a blocked
// thread stays alive in every thread library. When recording, that timer's ticks also tell
// the recorder whether the loop has anything else to do (no: the waits can only be ended by
// other threads, which is what tells a hang from a slow program).
import { rawWait, rawWaitAsync } from "./rawAtomics.ts";
import { traceLoopBlocked, traceLoopIdle, recordingOn } from "./trace.ts";
import { remaining } from "./validate.ts";
import { scheduleOn, scheduledPark, scheduledUnpark } from "./schedule/scheduler.ts";
import { getEnvironmentData, isMainThread } from "node:worker_threads";
import { CONTROL_DATA_KEY, CONTROL_STOP } from "../protocol/recorderControl.ts";

export type ParkResult = "ok" | "not-equal" | "timed-out";

const IDLE_CHECK_MS = 20;
// Resources that cannot end a wait by themselves: stdio pipes and ttys, message ports (their
// messages come from other threads, which the recorder watches directly).
const PASSIVE = new Set(["PipeWrap", "TTYWrap", "MessagePort", "CloseReq", "FSEventWrap"]);

let pendingAsyncWaits = 0;
/**
 * Child processes of the run this thread started (threadlens Process, plain forks under the
 * preload): their handles end only
 * with the child, whose threads the recorder watches like this process's own, so they keep a
 * loop no more busy than a message port does.
 */
let runChildProcesses = 0;

/** A child process of the run (a threadlens Process, a plain fork under the preload) started (+1) or exited (-1). */
export function countRunChildProcess(delta: 1 | -1): void {
  runChildProcesses += delta;
}

/** This process's live child processes of the run (their ProcessWrap handles are passive). */
export function runChildProcessCount(): number {
  return runChildProcesses;
}
let keepAlive: ReturnType<typeof setInterval> | undefined;
let reportedIdle = false;

function loopIsIdle(): boolean {
  let timers = 0;
  let children = 0;
  for (const resource of process.getActiveResourcesInfo()) {
    if (resource === "Timeout") timers++;
    else if (resource === "ProcessWrap") children++;
    else if (!PASSIVE.has(resource)) return false;
  }
  return timers <= 1 && children <= runChildProcesses; // our own keep-alive timer
}

function checkIdle(): void {
  const idle = loopIsIdle();
  if (idle !== reportedIdle) {
    reportedIdle = idle;
    traceLoopIdle(idle);
  }
}

export function holdLoop(): void {
  if (pendingAsyncWaits++ === 0) {
    keepAlive = setInterval(
      recordingOn ? checkIdle : () => undefined,
      recordingOn ? IDLE_CHECK_MS : 1 << 30,
    );
  }
}

export function releaseLoop(): void {
  if (--pendingAsyncWaits === 0 && keepAlive !== undefined) {
    clearInterval(keepAlive);
    keepAlive = undefined;
    if (reportedIdle) {
      reportedIdle = false;
      traceLoopIdle(false);
    }
  }
}

const sharedControl = getEnvironmentData(CONTROL_DATA_KEY);
const control =
  sharedControl instanceof SharedArrayBuffer ? new Int32Array(sharedControl) : undefined;
/** How often a thread parked in a Sync wait looks whether the recorder ends the program. */
const STOP_CHECK_MS = 100;

/** Ends the program if the recorder asked (a deadlock with no supervisor to stop it). */
function stopIfAsked(): void {
  const stop = control === undefined ? 0 : Atomics.load(control, CONTROL_STOP);
  if (stop !== 0 && isMainThread) process.exit(stop - 1);
}

/** Blocks this thread while `cell[index] === expected`, until notified or `deadline`. */
export function parkSync(
  cell: Int32Array,
  index: number,
  expected: number,
  deadline: number,
  quiet = false,
): ParkResult {
  const left = remaining(deadline);
  if (left === 0) return "timed-out";
  if (!scheduleOn) return parkSyncNow(cell, index, expected, deadline, left, quiet);
  // A controlled schedule (DESIGN 8.1) lets lower threads go while this one is parked.
  const slot = scheduledPark();
  try {
    return parkSyncNow(cell, index, expected, deadline, left, quiet);
  } finally {
    scheduledUnpark(slot);
  }
}

function parkSyncNow(
  cell: Int32Array,
  index: number,
  expected: number,
  deadline: number,
  left: number,
  quiet: boolean,
): ParkResult {
  // `quiet`: a short first wait of a lock, not worth recording (see LockBase.takeWordSync).
  if (!recordingOn || quiet) return rawWait(cell, index, expected, left);
  return blockingSync(() => {
    let result: ParkResult;
    for (;;) {
      result = rawWait(cell, index, expected, Math.min(remaining(deadline), STOP_CHECK_MS));
      if (result !== "timed-out" || remaining(deadline) === 0) break;
      stopIfAsked();
    }
    return result;
  });
}

/**
 * Runs `block`, a call that blocks this thread (Atomics.wait), recorded as such: a thread
 * blocked in Atomics.wait runs nothing else, so its loop is idle while it waits. This is what
 * tells the hang analysis that a thread sits in a Sync wait; an async wait leaves the loop
 * running whatever else it has (timers, I/O), and only the loop's own idleness counts there.
 */
export function blockingSync<T>(block: () => T): T {
  if (!recordingOn) return block();
  traceLoopBlocked(true);
  try {
    return block();
  } finally {
    traceLoopBlocked(false);
    // The loop's own state as its last check said (async waits of this thread still pending).
    if (reportedIdle) traceLoopIdle(true);
  }
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
  const result = rawWaitAsync(cell, index, expected, left);
  if (!result.async) return result.value;
  holdLoop();
  const slot = scheduleOn ? scheduledPark() : -1;
  try {
    return await result.value;
  } finally {
    if (scheduleOn) scheduledUnpark(slot);
    releaseLoop();
  }
}
