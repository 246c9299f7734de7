// Which logical thread an operation of a threadlens primitive is recorded as (DESIGN 3.1): the
// Promise.all/allSettled/any/race branch running it, or else the caller's own logical thread
// (currentIdent: the worker, main, or a spawned task).
//
// Ownership is not changed by this: a lock's owner word, RLock re-entry and the checks of
// Condition stay per currentIdent(), with or without the preload, so a program behaves the
// same under threadlens as without it. Only what is recorded tells the branches apart, the way
// the async-mutex instrumentation does (instrument/branches.ts reads V8's async stack).
//
// A branch is only visible in the stack once its combinator has been called: the synchronous
// part of a branch (up to its first await) runs before that. An async operation therefore
// decides its recording identity after one hop (a reaction, or an await inside an async
// operation), by which time the combinator holds the branch; a synchronous operation decides it
// at once (right after any await of the branch, the usual case). No stack is read while no
// combinator of this OS thread has a branch left running (combinators.ts).
import { branchAndSite, type BranchSite } from "./instrument/branches.ts";
import { branchesMayRun } from "./instrument/combinators.ts";
import { currentIdent } from "./logicalThread.ts";

/** Set while an async operation's synchronous step runs (recordingAs): its identity. */
let override = 0;

/** Whether recordIdent() may differ from currentIdent() now (two plain loads). */
export function mayRecordBranch(): boolean {
  return override !== 0 || branchesMayRun();
}

/** The logical thread to record the running code as. */
export function recordIdent(): number {
  if (override !== 0) return override;
  return branchesMayRun() ? branchAndSite().ident : currentIdent();
}

/**
 * The branch running now and its call site, when a combinator may have one running; undefined
 * when the code runs in the caller's own logical thread (then no stack was read).
 */
export function recordBranch(): BranchSite | undefined {
  if (override !== 0) return { ident: override, site: 0 };
  return branchesMayRun() ? branchAndSite() : undefined;
}

/** Runs `fn` (synchronous) with every recorded event attributed to `ident`. */
export function recordingAs<T>(ident: number, fn: () => T): T {
  const previous = override;
  override = ident;
  try {
    return fn();
  } finally {
    override = previous;
  }
}
