// The runtime's recording hooks, one per kind of operation, so that each primitive has one
// obvious line per event. All of them cost one boolean test when recording is off. An
// operation is recorded as the logical thread running it, a Promise.all branch included
// (recordIdent.ts); creations, starts and joins as the caller's own.
import {
  LOOP_BLOCKED,
  LOOP_DRAINED,
  type ObjectKind,
  type WaitReason,
} from "../protocol/events.ts";
import type { MisuseEventKind } from "../protocol/kinds.ts";
import { currentIdent, threadSelf } from "./logicalThread.ts";
import { announce, captureSite, emit, emitPrecise, publish, recordingOn } from "./recording.ts";
import { newSegment } from "./pendingHolds.ts";
import { recordIdent } from "./recordIdent.ts";

export { recordingOn };

/** A user-visible primitive was created (internal ones are not announced). */
export function traceCreate(id: number, kind: ObjectKind, name: string, capacity = 0): void {
  if (!recordingOn) return;
  announce({ type: "object", id, kind, name, site: captureSite(), capacity });
  emit("create", currentIdent(), id);
}

/** The caller starts waiting for `object` (it will block). */
export function traceWaitBegin(object: number, reason: WaitReason, hasTimeout: boolean): void {
  if (!recordingOn) return;
  emitPrecise("wait-begin", recordIdent(), object, captureSite(), hasTimeout, reason);
}

export function traceWaitEnd(object: number, woken: boolean): void {
  if (recordingOn) emitPrecise("wait-end", recordIdent(), object, 0, woken);
}

/** An acquisition (lock or semaphore) must wait. */
export function traceAcquireRequest(object: number, hasTimeout: boolean, shared = false): void {
  if (recordingOn)
    emitPrecise(
      "acquire-request",
      recordIdent(),
      object,
      captureSite(),
      hasTimeout,
      undefined,
      shared,
    );
}

export function traceAcquireTimeout(object: number, shared = false): void {
  if (recordingOn)
    emitPrecise("acquire-timeout", recordIdent(), object, 0, false, undefined, shared);
}

/**
 * A semaphore unit was taken / given back (locks record these themselves, see lock.ts).
 * `publishNow`: a unit taken after a recorded request (until published, the thread looks
 * blocked), or given back while threads wait for one.
 */
export function traceSemaphore(
  kind: "acquired" | "release",
  object: number,
  site = 0,
  publishNow = false,
): void {
  if (!recordingOn) return;
  emit(kind, recordIdent(), object, site);
  if (publishNow) publish();
}

export function traceOperation(
  kind: "notify" | "set" | "clear" | "put" | "get" | "task-done",
  object: number,
): void {
  if (recordingOn) emit(kind, recordIdent(), object);
}

/**
 * A Condition notify; one that wakes nobody gets its site (captured only then: a notify that
 * comes before its waiter is what a lost wakeup names, DESIGN 5.6).
 */
export function traceNotify(object: number, wakesNobody: boolean): void {
  if (recordingOn) emit("notify", recordIdent(), object, wakesNobody ? captureSite() : 0);
}

export function traceMisuse(kind: MisuseEventKind, object: number): void {
  if (recordingOn) emitPrecise(kind, recordIdent(), object, captureSite(), false);
}

/** A logical thread was started by the calling one (recorded by the parent, in its order). */
export function traceThreadStart(
  ident: number,
  name: string,
  kind: "worker" | "task",
  daemon: boolean,
): void {
  if (!recordingOn) return;
  const parent = currentIdent();
  announce({ type: "thread", ident, name, kind, parent, daemon });
  emitPrecise("thread-start", ident, parent, 0, false);
}

/**
 * A worker this thread started ended (its 'exit' event, `code` its exit code), recorded by the
 * parent: a worker ended by terminate() runs no exit handler of its own to say so.
 */
export function traceThreadExit(ident: number, code: number): void {
  if (recordingOn) emitPrecise("thread-exit", ident, code, 0, false);
}

/**
 * A Process was started (DESIGN 3.3): its main thread is logical thread `ident` of the run from
 * now on, before its own recorder has said anything (a parent that waits for it meanwhile
 * waits for a live thread, not in a hang).
 */
export function traceProcessStart(ident: number, name: string, daemon: boolean, pid: number): void {
  if (!recordingOn) return;
  const parent = currentIdent();
  announce({ type: "thread", ident, name, kind: "main", parent, daemon, pid });
  emitPrecise("thread-start", ident, parent, 0, false);
}

/** A join begins or ends; a join-begin's site is the caller's unless given (`site`). */
export function traceJoin(
  kind: "join-begin" | "join-end",
  joined: number,
  flag: boolean,
  site?: number,
): void {
  if (!recordingOn) return;
  if (kind === "join-end") newSegment();
  const at = kind === "join-begin" ? (site ?? captureSite()) : 0;
  emitPrecise(kind, currentIdent(), joined, at, flag);
}

/**
 * The calling thread stops worker `ident` (its terminate()): whatever that worker waits for,
 * its wait ends with it, so a parent awaiting its exit meanwhile is not in a hang.
 */
export function traceTerminate(ident: number): void {
  if (recordingOn) emitPrecise("terminate", currentIdent(), ident, captureSite(), false);
}

/**
 * Whether this OS thread's event loop has nothing left to run but threadlens waits; `drained`:
 * said at the loop's end, so the thread ends with those waits pending unless something runs.
 */
export function traceLoopIdle(idle: boolean, drained = false): void {
  if (recordingOn) emitPrecise("loop-idle", threadSelf.ident, drained ? LOOP_DRAINED : 0, 0, idle);
}

/** This OS thread blocks in a Sync call from now on (`blocked`), or that call returned. */
export function traceLoopBlocked(blocked: boolean): void {
  if (recordingOn) emitPrecise("loop-idle", threadSelf.ident, LOOP_BLOCKED, 0, blocked);
}
