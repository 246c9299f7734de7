// The lock methods of threadlens' API, in one place for both analyses: the static analyzer
// (what a call of each does) and the runtime analysis' source edits (which calls take a lock).
// Pure data, no TypeScript compiler: the recorder's analysis imports it too.

/** What calling the method does to its receiver lock. */
export type LockMethodOp = "acquire" | "try" | "guard" | "run" | "release";

/** Method name → what it does (`x.acquire()`, `x.lock()` guards, `x.run(fn)`, ...). */
export const LOCK_METHOD_OPS: ReadonlyMap<string, LockMethodOp> = new Map([
  ["acquire", "acquire"],
  ["acquireSync", "acquire"],
  ["tryAcquire", "try"],
  ["lock", "guard"],
  ["lockSync", "guard"],
  ["run", "run"],
  ["runSync", "run"],
  ["release", "release"],
  // RWLock (writer-preferring): reads share the lock, writes exclude everyone.
  ["acquireRead", "acquire"],
  ["acquireReadSync", "acquire"],
  ["acquireWrite", "acquire"],
  ["acquireWriteSync", "acquire"],
  ["readLock", "guard"],
  ["writeLock", "guard"],
  ["releaseRead", "release"],
  ["releaseWrite", "release"],
]);

/** The methods that take (or give back) a lock shared: RWLock's read side. */
export const SHARED_LOCK_METHODS: ReadonlySet<string> = new Set([
  "acquireRead",
  "acquireReadSync",
  "readLock",
  "releaseRead",
]);

/** The methods that take the lock (all but `release`). */
export const ACQUIRE_METHODS: ReadonlySet<string> = new Set(
  [...LOCK_METHOD_OPS].filter(([, op]) => op !== "release").map(([name]) => name),
);
