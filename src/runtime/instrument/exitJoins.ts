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
import { captureSite } from "../recording.ts";
import { traceJoin } from "../trace.ts";
import { loopIsIdle } from "./loopWatch.ts";

const JOIN_CHECK_MS = 20;

export interface Joinable {
  /** The logical thread of the worker, or of the child process's main thread. */
  readonly ident: number;
  exited: boolean;
  /** The parent listens for its 'exit'. */
  awaited: boolean;
  /** A join-begin is in force. */
  joining: boolean;
  /** Where the parent started listening for its 'exit' (0 until it does). */
  site: number;
}

export function joinable(ident: number): Joinable {
  return { ident, exited: false, awaited: false, joining: false, site: 0 };
}

const awaited = new Set<Joinable>();
let checker: ReturnType<typeof setInterval> | undefined;

function checkJoins(): void {
  const idle = loopIsIdle();
  for (const w of awaited) {
    if (idle && !w.joining) traceJoin("join-begin", w.ident, false, w.site);
    else if (!idle && w.joining) traceJoin("join-end", w.ident, false);
    w.joining = idle;
  }
}

/** The parent started listening for the end of `w` (here: the join's site). */
export function awaitExit(w: Joinable): void {
  if (w.awaited || w.exited) return;
  w.awaited = true;
  w.site = captureSite();
  awaited.add(w);
  if (checker === undefined) {
    // Unref'd: the workers and children keep the process alive, this timer must not.
    checker = setInterval(checkJoins, JOIN_CHECK_MS);
    checker.unref();
  }
}

/** `w` ended: its join (awaited or not: Node reaps its end) ends with it. */
export function exitJoined(w: Joinable): void {
  w.exited = true;
  awaited.delete(w);
  if (awaited.size === 0 && checker !== undefined) {
    clearInterval(checker);
    checker = undefined;
  }
  traceJoin("join-end", w.ident, true);
}

export const EXIT_LISTENER_METHODS = [
  "on",
  "once",
  "addListener",
  "prependListener",
  "prependOnceListener",
] as const;
