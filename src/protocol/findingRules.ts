// When each finding kind is raised and when it is not (DESIGN 5.6: a finding is a defect a user
// would fix). One table: the analysis follows it, the CLI, the recorder and the adapter read
// from it which kinds stop the program (exit 2), the human report how it heads a finding, and
// the README's "When threadlens reports what" section is checked against it by a test.
import type { FindingKind } from "./report.ts";

export interface FindingRule {
  /** The program blocked on it: it is stopped, and `threadlens run` (and the preload) exit 2. */
  readonly stopsProgram: boolean;
  /** How the human report heads it. */
  readonly severity: "ERROR" | "WARNING";
  /** When it is raised. */
  readonly raised: string;
  /** What looks like it and is not raised. */
  readonly notRaised: string;
  /** The fixes it offers: which come as checked edits, which as messages only, and why. */
  readonly fixes: string;
}

const CYCLE_FIXES =
  "one global order (an edit swapping the two acquisitions, offered only if the edited code and the run's own orders have no cycle left), `acquireAll` (an edit where the two acquisitions are adjacent, checked the same way), a timeout (a message, never an edit: a timeout ends the wait but not the cycle, and what the thread does when it expires is the program's choice)";
const MISUSE_FIXES = "none: the message names the call to change";

export const FINDING_RULES: Readonly<Record<FindingKind, FindingRule>> = {
  deadlock: {
    stopsProgram: true,
    severity: "ERROR",
    raised:
      "logical threads (threads, tasks, Promise.all/race branches, processes) wait for each other in a cycle: locks, joins, semaphores",
    notRaised:
      "a wait with a timeout, or a wait its own logical thread went on running past (it did not wait for it)",
    fixes: `${CYCLE_FIXES}; through a join: release the locks before joining (a message)`,
  },
  "self-deadlock": {
    stopsProgram: true,
    severity: "ERROR",
    raised: "one logical thread waits for a non-reentrant lock it holds itself",
    notRaised:
      "two Promise.all/race branches (two logical threads: that is a deadlock), or an acquisition its thread did not wait for",
    fixes:
      "`RLock` (an edit of the lock's creation, only where the same logical thread re-enters), a timeout (a message: the thread then fails instead of waiting for itself)",
  },
  hang: {
    stopsProgram: true,
    severity: "ERROR",
    raised:
      "every live non-daemon logical thread is blocked with nothing that can wake it; processes of the run that each wait only for another's message, none received for the stability window; a thread ended with waits pending that it was waiting on",
    notRaised:
      "a wait left pending while its thread went on running; workers parked in Atomics.wait while main is not blocked (its event loop can still notify them); processes that exchange messages, however short their handlers; a process reading its standard input; anything after the program ended",
    fixes:
      "`waitFor(predicate)` at a Condition wait that missed its notify (a message), a timeout (a message, never an edit: it ends the wait, not its cause)",
  },
  "potential-deadlock": {
    stopsProgram: false,
    severity: "WARNING",
    raised:
      "two logical threads took the same locks in opposite orders in a run that did not deadlock",
    notRaised:
      "orders taken by one logical thread only, orders under a common gate lock, or segments ordered by thread start/join",
    fixes: CYCLE_FIXES,
  },
  "bad-release": {
    stopsProgram: false,
    severity: "WARNING",
    raised: "a lock released that is not held (an RLock: not held by the caller)",
    notRaised: "a plain Lock released by another thread than the one that took it",
    fixes: MISUSE_FIXES,
  },
  "over-release": {
    stopsProgram: false,
    severity: "WARNING",
    raised: "a BoundedSemaphore released above its initial value",
    notRaised: "a plain Semaphore released above its initial value (it has no bound)",
    fixes: MISUSE_FIXES,
  },
  "unjoined-thread": {
    stopsProgram: false,
    severity: "WARNING",
    raised:
      "a non-daemon threadlens Thread that ended, or was still running when main ended, without join()",
    notRaised:
      "a daemon Thread; a plain worker_threads.Worker (Node reaps its end; one unref()'d or still alive when its parent thread ends, e.g. by process.exit(), ends with it on purpose); a program stopped on a deadlock or hang",
    fixes: MISUSE_FIXES,
  },
  "lock-held-at-exit": {
    stopsProgram: false,
    severity: "WARNING",
    raised:
      "a thread exits holding a Lock or RLock (a worker that ends or crashes mid-run), or main ends holding one that another logical thread also used",
    notRaised:
      "a lock main still holds when the program ends that no other logical thread ever wanted (single-threaded code); a Lock another thread released afterwards",
    fixes: MISUSE_FIXES,
  },
  "pool-misuse": {
    stopsProgram: false,
    severity: "WARNING",
    raised: "Pool.join() called before Pool.close()",
    notRaised: "join() after close() or terminate()",
    fixes: MISUSE_FIXES,
  },
};

/** The kinds that stop the program (exit 2). */
export function stopsProgram(kind: FindingKind): boolean {
  return FINDING_RULES[kind].stopsProgram;
}

/** The kind's row of the README's table (a test keeps the README in step). */
export function readmeRow(kind: FindingKind): string {
  const rule = FINDING_RULES[kind];
  const stops = rule.stopsProgram ? "yes (exit 2)" : "no";
  return `| \`${kind}\` | ${rule.raised} | ${rule.notRaised} | ${rule.fixes} | ${stops} |`;
}
