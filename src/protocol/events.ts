// The vocabulary every part of threadlens shares: what the runtime records, what the analysis
// reads, what the CLI, the adapter and the trace files carry. No imports from other folders.
import { EVENT_KINDS, EVENT_TRAITS, type EventKind, type ObjectKind } from "./kinds.ts";

/** The event kinds (kinds.ts has them with their traits). */
export { EVENT_KINDS, type EventKind };

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

export function eventCode(kind: EventKind): number {
  return EVENT_KINDS.indexOf(kind) + 1;
}

export function eventKindOf(code: number): EventKind | undefined {
  return EVENT_KINDS[code - 1];
}

/** What a wait-begin waits for, when the object alone does not say (queue get vs put vs join). */
export const WAIT_REASONS = ["wait", "get", "put", "join", "barrier"] as const;
export type WaitReason = (typeof WAIT_REASONS)[number];

/** The fields every event has, whatever its kind. */
interface EventHead<K extends EventKind> {
  readonly kind: K;
  /** The logical thread (ident) it happened in. */
  readonly thread: number;
  /** Call-site id (0 when not captured). */
  readonly site: number;
  /** Microseconds since the program started. */
  readonly time: number;
}

/** `object` and `flag`, whose meaning each row of EventRows gives. */
interface Fields {
  readonly object: number;
  readonly flag: boolean;
}

/** The acquisition events (EVENT_TRAITS `holding`): take or give back a holdable primitive. */
interface Holding extends Fields {
  /** A shared acquisition of a sharable primitive (a read lock); absent for an exclusive one. */
  readonly shared?: true;
}

/**
 * What each kind's fields mean: one row per event kind (a kind without its row does not
 * compile, see TraceEvent). Only wait-begin has a `reason`, only acquisition events `shared`.
 */
interface EventRows {
  /** A logical thread begins. object: its parent's ident (0 for main). */
  "thread-start": Fields;
  /** A logical thread ends. object: its exit code (workers), 0 for tasks. */
  "thread-exit": Fields;
  /** object: the ident of the thread joined; flag: the join has a timeout. */
  "join-begin": Fields;
  /** object: the ident of the thread joined; flag: it had ended (the join did not time out). */
  "join-end": Fields;
  /** A primitive is created. object: its id (its meta record has its name, kind and site). */
  create: Fields;
  /** An acquisition must wait. object: the primitive; flag: the wait has a timeout. */
  "acquire-request": Holding;
  /** object: the primitive taken. */
  acquired: Holding;
  /** object: the primitive given back. */
  release: Holding;
  /** The wait of an acquire-request gave up. object: the primitive. */
  "acquire-timeout": Holding;
  /**
   * A thread blocks on a condition, event, queue, barrier or word. object: the primitive;
   * flag: the wait has a timeout.
   */
  "wait-begin": Fields & {
    /** What the thread waits for, where the object alone does not say (queue get vs put vs join). */
    readonly reason?: WaitReason;
  };
  /** object: the primitive; flag: woken (false: timed out or broken). */
  "wait-end": Fields;
  /** A condition's notify/notifyAll (or a word's Atomics.notify). object: the primitive. */
  notify: Fields;
  /** An event's set(). object: the event. */
  set: Fields;
  /** An event's clear(). object: the event. */
  clear: Fields;
  /** An item went into a queue. object: the queue. */
  put: Fields;
  /** An item left a queue. object: the queue. */
  get: Fields;
  /** queue.taskDone(). object: the queue. */
  "task-done": Fields;
  /** A release of a lock the caller does not hold. object: the lock. */
  "bad-release": Fields;
  /** A BoundedSemaphore released above its initial value. object: the semaphore. */
  "over-release": Fields;
  /** Pool.join() before close(). object: the pool. */
  "pool-misuse": Fields;
  /**
   * object: a code (0, LOOP_DRAINED, LOOP_MESSAGES_ONLY or LOOP_BLOCKED); flag: the state the
   * code names begins (false: it ended).
   */
  "loop-idle": Fields;
  /**
   * A worker's terminate() was called (a plain Worker's, a Thread's, a Pool's): it ends without
   * running anything more, whatever it waits for. object: the worker's ident.
   */
  terminate: Fields;
}

/**
 * One recorded event, decoded: a union discriminated by `kind` (EventRows gives each kind's
 * fields). Built from wire values only by `makeEvent` (the binary decoder, the trace reader).
 */
export type TraceEvent = { [K in EventKind]: EventHead<K> & EventRows[K] }[EventKind];

/** The event of kind K. */
export type EventOf<K extends EventKind> = Extract<TraceEvent, { readonly kind: K }>;

/** The kinds whose events may be marked `shared` (EVENT_TRAITS `holding`). */
export type HoldingEventKind = {
  [K in EventKind]: "shared" extends keyof EventRows[K] ? K : never;
}[EventKind];

/** `true` when A and B are the same union. */
export type SameUnion<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
/** Every event kind has its row in EventRows, and only event kinds have one. */
export type EventRowsComplete = Holds<SameUnion<keyof EventRows, EventKind>>;
/** The kinds that may be `shared` are those whose EVENT_TRAITS row says `holding`. */
export type HoldingKindsAgree = Holds<
  SameUnion<
    HoldingEventKind,
    { [K in EventKind]: (typeof EVENT_TRAITS)[K]["holding"] extends true ? K : never }[EventKind]
  >
>;

export function isHoldingKind(kind: EventKind): kind is HoldingEventKind {
  return EVENT_TRAITS[kind].holding;
}

/**
 * The event the wire values say, or undefined when they do not fit its kind: a `reason` on
 * anything but a wait-begin, a `shared` mark on anything but an acquisition event.
 */
export function makeEvent(
  kind: EventKind,
  thread: number,
  object: number,
  site: number,
  time: number,
  flag: boolean,
  reason?: WaitReason,
  shared = false,
): TraceEvent | undefined {
  if (reason !== undefined) {
    if (kind !== "wait-begin" || shared) return undefined;
    return { kind, thread, object, site, time, flag, reason };
  }
  if (shared) {
    return isHoldingKind(kind) ? { kind, thread, object, site, time, flag, shared } : undefined;
  }
  return { kind, thread, object, site, time, flag };
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

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/**
 * An event that came as JSON (a child process' relay, the adapter's event stream): the event
 * it is, or undefined for anything that is not one (unknown kind, missing or mistyped field).
 */
export function eventFromJson(value: unknown): TraceEvent | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const v = value as Record<string, unknown>;
  const kind = EVENT_KINDS.find((k) => k === v["kind"]);
  const { thread, object, site, time, flag, reason, shared } = v;
  if (kind === undefined || typeof flag !== "boolean") return undefined;
  if (!isCount(thread) || !isCount(object) || !isCount(site) || !isCount(time)) return undefined;
  const why = WAIT_REASONS.find((r) => r === reason);
  if ((reason !== undefined && why === undefined) || (shared !== undefined && shared !== true)) {
    return undefined;
  }
  return makeEvent(kind, thread, object, site, time, flag, why, shared === true);
}
