// What each kind of primitive and each kind of event means, in one table per kind: every layer
// asks these tables ("can it be held?", "does its wait end on a set?") instead of comparing kind
// names. A new primitive is one row here, its runtime class and its tests; the tables are
// complete by construction (`satisfies Record<Kind, Traits>`), so a kind without its row, or a
// row without a trait, does not compile. This file imports nothing: events.ts builds on it.

/**
 * Event kinds, in the order of their binary codes (code = index + 1: never reorder, append).
 * What each kind's fields hold: EventRows in events.ts.
 */
export const EVENT_KINDS = [
  "thread-start", //       a logical thread begins: object = parent ident (0 for main)
  "thread-exit", //        a logical thread ends: object = exit code (workers), 0 for tasks;
  //                        flag = ended running by its process's death (a signal, a crash)
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
  "terminate", //          a worker's terminate() was called: object = the worker's ident
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];

/** The primitive kinds (MetaRecord "object" kind), each a row of PRIMITIVE_TRAITS. */
export type ObjectKind =
  | "Lock"
  | "RLock"
  | "RWLock"
  | "Condition"
  | "Semaphore"
  | "BoundedSemaphore"
  | "Event"
  | "Queue"
  | "LifoQueue"
  | "PriorityQueue"
  | "Barrier"
  | "Pool"
  /** A word of shared memory a program waits on with Atomics.wait (instrument/atomics.ts). */
  | "Atomics";

/** What ends a wait-begin on the primitive (what the hang analysis and the messages say). */
export type WaitCategory =
  /** It has no wait-begin: its threads wait in acquire-request (locks, semaphores, pools). */
  | "none"
  | "condition"
  | "event"
  | "queue"
  | "barrier"
  /** A word of shared memory waited on with Atomics.wait/waitAsync. */
  | "atomics";

export interface PrimitiveTraits {
  /** Its word in messages ("lock", "semaphore", "event", ...). */
  readonly noun: string;
  /**
   * Threads take and give it back (acquire-request, acquired, release): it has holders and
   * waiters, the wait-for graph follows it, the views show who holds it.
   */
  readonly holdable: boolean;
  /**
   * A lock: its nested acquisitions are lock-order edges (potential deadlocks), a hold left at
   * thread exit is `lock-held-at-exit`.
   */
  readonly lock: boolean;
  /** Its holder takes it again without waiting (the depth is counted): never waits for itself. */
  readonly reentrant: boolean;
  /**
   * Held in units up to its capacity (acquisitions by one thread add up); a release by a thread
   * that holds no unit makes it a signal, which anyone may give.
   */
  readonly units: boolean;
  /** Only a holder releases it: another thread's release changes nothing (a bad-release). */
  readonly holderReleases: boolean;
  /**
   * Acquisitions may be shared (events marked `shared`): shared holds exclude only exclusive
   * ones, so two shared acquisitions never wait for each other, and a writer-preferring lock
   * makes a shared request wait for the exclusive requests already waiting.
   */
  readonly sharable: boolean;
  /** What ends a wait-begin on it. */
  readonly waits: WaitCategory;
  /** The kind whose holder may take it again, offered as the fix of a self-deadlock. */
  readonly reentrantAlternative?: ObjectKind;
}

const exclusiveLock = {
  noun: "lock",
  holdable: true,
  lock: true,
  reentrant: false,
  units: false,
  holderReleases: false,
  sharable: false,
  waits: "none",
} as const;

const semaphore = {
  noun: "semaphore",
  holdable: true,
  lock: false,
  reentrant: false,
  units: true,
  holderReleases: false,
  sharable: false,
  waits: "none",
} as const;

/** Not taken or held: threads only wait on it (or, for a Pool, nothing at all). */
function waitedOn(noun: string, waits: WaitCategory): PrimitiveTraits {
  return {
    noun,
    holdable: false,
    lock: false,
    reentrant: false,
    units: false,
    holderReleases: false,
    sharable: false,
    waits,
  };
}

/** One row per primitive kind. */
export const PRIMITIVE_TRAITS = {
  Lock: { ...exclusiveLock, reentrantAlternative: "RLock" },
  RLock: { ...exclusiveLock, reentrant: true, holderReleases: true },
  RWLock: { ...exclusiveLock, holderReleases: true, sharable: true },
  Semaphore: semaphore,
  BoundedSemaphore: semaphore,
  Condition: waitedOn("condition", "condition"),
  Event: waitedOn("event", "event"),
  Queue: waitedOn("queue", "queue"),
  LifoQueue: waitedOn("queue", "queue"),
  PriorityQueue: waitedOn("queue", "queue"),
  Barrier: waitedOn("barrier", "barrier"),
  Pool: waitedOn("pool", "none"),
  Atomics: waitedOn("word", "atomics"),
} as const satisfies Record<ObjectKind, PrimitiveTraits>;

export const OBJECT_KINDS = Object.keys(PRIMITIVE_TRAITS) as readonly ObjectKind[];

export function isObjectKind(s: string): s is ObjectKind {
  return Object.hasOwn(PRIMITIVE_TRAITS, s);
}

/**
 * The traits of `kind`. An object whose record has not arrived yet (the recorder gets records
 * over another channel than events) is taken for a plain Lock: only locks are taken often
 * enough to race their own record.
 */
export function traitsOf(kind: ObjectKind | undefined): PrimitiveTraits {
  return kind === undefined ? PRIMITIVE_TRAITS.Lock : PRIMITIVE_TRAITS[kind];
}

/** The kinds that have a trait: `kindsWhere("lock")` is every lock kind. */
export function kindsWhere(trait: "holdable" | "lock" | "sharable"): ObjectKind[] {
  return OBJECT_KINDS.filter((k) => PRIMITIVE_TRAITS[k][trait]);
}

/** The blocking operation an event begins or ends. */
export type BlockingOp = "join" | "acquire" | "wait";

export interface EventTraits {
  /** What the event's `object` field holds. */
  readonly object: "thread" | "primitive" | "code" | "none";
  /** The blocking operation it begins (`flag` = it has a timeout). */
  readonly begins?: BlockingOp;
  /** The blocking operation it ends. */
  readonly ends?: BlockingOp;
  /** The runtime saw a misuse: a finding of its own (misuse.ts), a mark in the views. */
  readonly misuse: boolean;
  /** A moment, not a span: shown as a mark on the timeline (Perfetto instant). */
  readonly instant: boolean;
  /** Taking or giving back a holdable primitive: may be marked `shared`. */
  readonly holding: boolean;
}

const plain = { misuse: false, instant: false, holding: false } as const;
const mark = { object: "primitive", misuse: false, instant: true, holding: false } as const;
const misuse = { object: "primitive", misuse: true, instant: true, holding: false } as const;
const counter = { object: "primitive", ...plain } as const;

/** One row per event kind (EVENT_KINDS gives their binary codes). */
export const EVENT_TRAITS = {
  "thread-start": { object: "thread", ...plain },
  "thread-exit": { object: "code", ...plain },
  "join-begin": { object: "thread", begins: "join", ...plain },
  "join-end": { object: "thread", ends: "join", ...plain },
  create: counter,
  "acquire-request": { ...counter, begins: "acquire", holding: true },
  acquired: { ...counter, ends: "acquire", holding: true },
  release: { ...counter, holding: true },
  "acquire-timeout": { ...counter, ends: "acquire", holding: true },
  "wait-begin": { ...counter, begins: "wait" },
  "wait-end": { ...counter, ends: "wait" },
  notify: mark,
  set: mark,
  clear: mark,
  put: counter,
  get: counter,
  "task-done": counter,
  "bad-release": misuse,
  "over-release": misuse,
  "pool-misuse": misuse,
  "loop-idle": { object: "code", ...plain },
  terminate: { object: "thread", ...plain, instant: true },
} as const satisfies Record<EventKind, EventTraits>;

/** The event kinds whose trait `misuse` is true, as a type. */
export type MisuseEventKind = {
  [K in EventKind]: (typeof EVENT_TRAITS)[K]["misuse"] extends true ? K : never;
}[EventKind];

export function eventTraits(kind: EventKind): EventTraits {
  return EVENT_TRAITS[kind];
}

export function isMisuseEvent(kind: EventKind): kind is MisuseEventKind {
  return EVENT_TRAITS[kind].misuse;
}
