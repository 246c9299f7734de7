// The vocabulary every part of threadlens shares: what the runtime records, what the analysis
// reads, what the CLI, the adapter and the trace files carry. No imports from other folders.
import type { ObjectKind } from "./kinds.ts";

/** Event kinds, in the order of their binary codes (code = index + 1). */
export const EVENT_KINDS = [
  "thread-start", //       a logical thread begins: object = parent ident (0 for main)
  "thread-exit", //        a logical thread ends: object = exit code (workers), 0 for tasks
  "join-begin", //         object = ident of the thread joined; flag = has timeout
  "join-end", //           object = ident of the thread joined; flag = it had ended (not timed out)
  "create", //             a primitive is created: object = its id (meta has name, kind, site)
  "acquire-request", //    a lock/semaphore acquisition must wait: flag = has timeout
  "acquired", //           object = lock/semaphore id
  "release", //            object = lock/semaphore id
  "acquire-timeout", //    the wait of an acquire-request gave up
  "wait-begin", //         blocks on a condition/event/queue/barrier: flag = has timeout
  "wait-end", //           flag = woken (false: timed out or broken)
  "notify", //             condition notify/notifyAll, object = condition id
  "set", //                event set
  "clear", //              event clear
  "put", //                an item went into a queue
  "get", //                an item left a queue
  "task-done", //          queue.taskDone()
  "bad-release", //        release of a lock that is not held (by the caller)
  "over-release", //       BoundedSemaphore released above its initial value
  "pool-misuse", //        Pool.join() before close()
  "loop-idle", //          flag = this thread's event loop has nothing but threadlens waits;
  //                       object = LOOP_DRAINED when said at the loop's end ('beforeExit')
] as const;

/** loop-idle's object when the loop drained: the thread ends unless something runs again. */
export const LOOP_DRAINED = 1;
/**
 * loop-idle's object when the recorder says it for a thread (from its idle watcher's beat):
 * flag = its event loop waits for nothing but messages (no timer, I/O or other work).
 */
export const LOOP_MESSAGES_ONLY = 2;
/**
 * loop-idle's object when a thread blocks in a Sync call (Atomics.wait, a threadlens Sync
 * wait): flag = it blocks from now on (false: the call returned). Nothing else tells a Sync
 * wait from an async one, whose thread's loop goes on running its timers and I/O.
 */
export const LOOP_BLOCKED = 3;

export type EventKind = (typeof EVENT_KINDS)[number];

export function eventCode(kind: EventKind): number {
  return EVENT_KINDS.indexOf(kind) + 1;
}

export function eventKindOf(code: number): EventKind | undefined {
  return EVENT_KINDS[code - 1];
}

/** What a wait-begin waits for, when the object alone does not say (queue get vs put vs join). */
export const WAIT_REASONS = ["wait", "get", "put", "join", "barrier"] as const;
export type WaitReason = (typeof WAIT_REASONS)[number];

/** One recorded event, decoded. */
export interface TraceEvent {
  readonly kind: EventKind;
  /** The logical thread (ident) it happened in. */
  readonly thread: number;
  /** Object id (or the other thread's ident, or a code: see EVENT_KINDS). */
  readonly object: number;
  /** Call-site id (0 when not captured). */
  readonly site: number;
  /** Microseconds since the program started. */
  readonly time: number;
  /** Meaning depends on the kind (see EVENT_KINDS). */
  readonly flag: boolean;
  /** For wait-begin: what the thread waits for. */
  readonly reason?: WaitReason;
  /**
   * For the acquisition events (EVENT_TRAITS holding): a shared acquisition of a sharable
   * primitive (a read lock); absent for an exclusive one.
   */
  readonly shared?: true;
}

/** The primitive kinds: the rows of the traits table (kinds.ts). */
export type { ObjectKind } from "./kinds.ts";
export type ThreadKind = "main" | "worker" | "task";

/** One stack frame, in TypeScript terms (source-mapped). */
export interface Frame {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly function: string;
}

/** Dictionary records: what ids in events stand for. */
export type MetaRecord =
  | {
      readonly type: "thread";
      readonly ident: number;
      readonly name: string;
      readonly kind: ThreadKind;
      readonly parent: number;
      readonly daemon: boolean;
      /** The OS process of a thread of a child process (absent: the program's own process). */
      readonly pid?: number;
    }
  | {
      readonly type: "object";
      readonly id: number;
      readonly kind: ObjectKind;
      readonly name: string;
      readonly site: number;
      /** Semaphore initial value, queue maxsize, barrier parties; 0 otherwise. */
      readonly capacity: number;
      /**
       * A primitive of another process (DESIGN 3.3): object `id` of process `pid`, which the
       * run's recorder makes this object (only child processes' recorders send these).
       */
      readonly origin?: { readonly pid: number; readonly id: number } | undefined;
    }
  | { readonly type: "site"; readonly id: number; readonly frames: readonly Frame[] }
  | { readonly type: "dropped"; readonly thread: number; readonly count: number };

/** A whole recording: the dictionary and the events, in the order they were recorded per thread. */
export interface Trace {
  readonly meta: readonly MetaRecord[];
  readonly events: readonly TraceEvent[];
}
