// The join rule of code that never imports threadlens (DESIGN 3.2, 3.3), for plain workers
// (workers.ts) and plain child processes (childProcesses.ts) alike. Neither has a join(); a
// parent waits for one's end by listening for its 'exit' event (`await once(child, 'exit')`,
// or an on/once('exit') listener that settles a promise the parent awaits). A listener alone
// does not mean the parent waits: it may go on working. So the parent counts as joining those
// whose 'exit' it listens for while, and only while, its own event loop has nothing else to do
// (loopWatch.ts loopIsIdle: no timer, socket, file operation or other active resource; live
// workers are not listed, and child processes of the run count as passive). That is checked
// every JOIN_CHECK_MS: join-begin when the loop turns idle, join-end with "not ended" when it
// has work again (retracting the join), join-end with "ended" at the exit. The join's site is
// where the parent started listening, captured once per child when it does.
//
// Under a controlled schedule (DESIGN 8.1) the first listening for a worker's 'exit' is a join
// point, and the listener is parked for the scheduler (lower threads need not wait for it)
// while its loop has nothing else to do, as for a child process's.
import { captureSite } from "../recording.ts";
import { currentIdent } from "../logicalThread.ts";
import {
  pointSync,
  scheduleOn,
  scheduledParkIdent,
  scheduledUnpark,
} from "../schedule/scheduler.ts";
import { traceJoin } from "../trace.ts";
import { loopIsIdle } from "./loopWatch.ts";

// Defined beside the 'message' listener watch, which needs it too, so that loopWatch.ts does
// not import this module back (no import cycle).
export { EXIT_LISTENER_METHODS } from "./loopWatch.ts";

const JOIN_CHECK_MS = 20;

export interface Joinable {
  /** The logical thread of the worker, or of the child process's main thread. */
  readonly ident: number;
  /** A worker's name (its join is a scheduling point); undefined for a child process. */
  readonly name: string | undefined;
  /** The logical thread that listens for its 'exit' (0 until one does). */
  joiner: number;
  /** The listener's scheduler slot while parked (scheduled runs), else -1. */
  parked: number;
  exited: boolean;
  /** The parent listens for its 'exit'. */
  awaited: boolean;
  /** A join-begin is in force. */
  joining: boolean;
  /** Where the parent started listening for its 'exit' (0 until it does). */
  site: number;
}

export function joinable(ident: number, name?: string): Joinable {
  return {
    ident,
    name,
    joiner: 0,
    parked: -1,
    exited: false,
    awaited: false,
    joining: false,
    site: 0,
  };
}

/** Scheduled runs: the listener is parked while its loop only waits for the exit. */
function scheduledJoin(w: Joinable, waiting: boolean): void {
  if (waiting && w.parked < 0) w.parked = scheduledParkIdent(w.joiner);
  else if (!waiting && w.parked >= 0) {
    scheduledUnpark(w.parked);
    w.parked = -1;
  }
}

const awaited = new Set<Joinable>();
let checker: ReturnType<typeof setInterval> | undefined;

function checkJoins(): void {
  const idle = loopIsIdle();
  for (const w of awaited) {
    if (idle && !w.joining) traceJoin("join-begin", w.ident, false, w.site);
    else if (!idle && w.joining) traceJoin("join-end", w.ident, false);
    w.joining = idle;
    if (scheduleOn) scheduledJoin(w, idle);
  }
}

/** The parent started listening for the end of `w` (here: the join's site). */
export function awaitExit(w: Joinable): void {
  if (w.awaited || w.exited) return;
  w.awaited = true;
  w.site = captureSite();
  w.joiner = currentIdent();
  awaited.add(w);
  if (scheduleOn && w.name !== undefined) {
    pointSync("join", { name: w.name }, "Worker");
    w.parked = scheduledParkIdent(w.joiner);
  }
  if (checker === undefined) {
    // Unref'd: the workers and children keep the process alive, this timer must not.
    checker = setInterval(checkJoins, JOIN_CHECK_MS);
    checker.unref();
  }
}

/** `w` ended: its join (awaited or not: Node reaps its end) ends with it. */
export function exitJoined(w: Joinable): void {
  w.exited = true;
  if (scheduleOn) scheduledJoin(w, false);
  awaited.delete(w);
  if (awaited.size === 0 && checker !== undefined) {
    clearInterval(checker);
    checker = undefined;
  }
  traceJoin("join-end", w.ident, true);
}
