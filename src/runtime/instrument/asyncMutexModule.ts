// async-mutex's ES module build (index.mjs) instrumented in place, without the ES module hooks
// (issue 13): on Node 20 the hooks run in a thread of their own, which an ES module program
// importing async-mutex started only so that they could append code to index.mjs replacing
// its classes (loaderHooks.ts). The preload's ES module build instead imports index.mjs before
// the program does (register.ts; the program then gets the same module) and patches its
// classes' prototypes here, with what instrument/asyncMutex.ts records:
// - a construction is seen through a setter, on the prototype, of the first field its
//   constructor assigns (Semaphore: `this._value = ...`, Mutex: `this._semaphore = ...`), which
//   makes the field the instance's own and records the object, named from its creation site;
//   a Semaphore whose constructor is called by Mutex's is the Mutex's own, not recorded;
// - acquire, release and runExclusive are wrapped as the subclasses of the other builds
//   override them;
// - withTimeout and tryAcquire are module bindings that stay the library's: an acquisition that
//   must wait is timed when its caller is withTimeout's (the two call sites a probe of
//   withTimeout finds once, compared with the caller's frame, read only for such waits).
// Only a source of the shape this relies on (asyncMutexShape.ts: 0.5's) is patched this way;
// any other gets the hooks.
import { readStackWith } from "../siteCache.ts";
import { scheduleOn } from "../schedule/scheduler.ts";
import {
  acquireMutex,
  acquireSemaphore,
  isTracked,
  mutexMade,
  releasingMutex,
  releasingSemaphore,
  runMutexExclusive,
  runSemaphoreExclusive,
  semaphoreMade,
  type MutexLike,
  type Release,
  type SemaphoreLike,
} from "./asyncMutex.ts";

type CallSite = NodeJS.CallSite;

type AnyFunction = (...args: never[]) => unknown;

/** The `count` frames above `fn` in the current stack, as V8's call sites. */
function framesAbove(fn: AnyFunction, count: number): CallSite[] {
  const holder: { stack?: unknown } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = count;
  try {
    Error.captureStackTrace(holder, fn);
  } finally {
    Error.stackTraceLimit = limit;
  }
  return readStackWith(holder as Error, (_, trace) => trace) as CallSite[];
}

/** The first frame above `fn` in the current stack, as `file:line:column`. */
function callerOf(fn: AnyFunction): string {
  const frame = framesAbove(fn, 1)[0];
  return frame === undefined
    ? ""
    : `${frame.getFileName()}:${frame.getLineNumber()}:${frame.getColumnNumber()}`;
}

/** Where withTimeout's wrapper calls its sync object's acquire (a Semaphore's, a Mutex's). */
function withTimeoutCallers(withTimeout: AnyFunction): Set<string> {
  const callers = new Set<string>();
  for (const semaphore of [true, false]) {
    const sync: Record<string, unknown> = {
      acquire: function probe(): Promise<unknown> {
        callers.add(callerOf(probe as AnyFunction));
        return Promise.resolve(semaphore ? [1, () => undefined] : () => undefined);
      },
      release: () => undefined,
      isLocked: () => false,
    };
    if (semaphore) sync["getValue"] = () => 1;
    const wrapper = (withTimeout as unknown as (s: unknown, ms: number) => SemaphoreLike)(
      sync,
      60_000,
    );
    // Resolved at once: the wrapper clears its timer in a microtask.
    void wrapper.acquire().catch(() => undefined);
  }
  return callers;
}

interface Constructor {
  readonly prototype: object;
}

type Made = (obj: object, value: unknown, setter: AnyFunction) => void;

/** Calls `made` on each instance of `ctor` while its constructor assigns `field` first. */
function onConstruction(ctor: Constructor, field: string, made: Made): void {
  Object.defineProperty(ctor.prototype, field, {
    configurable: true,
    get: () => undefined,
    set: function construction(this: object, value: unknown) {
      Object.defineProperty(this, field, {
        value,
        writable: true,
        enumerable: true,
        configurable: true,
      });
      made(this, value, construction as AnyFunction);
    },
  });
}

/** Whether the constructor that called `setter` (running) was called by Mutex's, beside it. */
function inMutexConstructor(setter: AnyFunction): boolean {
  const [constructor, caller] = framesAbove(setter, 2);
  return (
    constructor !== undefined &&
    caller !== undefined &&
    caller.isConstructor() &&
    caller.getFunctionName() === "Mutex" &&
    caller.getFileName() === constructor.getFileName()
  );
}

const PATCHED = Symbol.for("threadlens.asyncMutexPatched");

/** Instruments the namespace of an async-mutex index.mjs of the patchable shape. */
export function instrumentAsyncMutexModule(ns: Record<string, unknown>): void {
  const SemaphoreClass = ns["Semaphore"] as (Constructor & AnyFunction) | undefined;
  const MutexClass = ns["Mutex"] as (Constructor & AnyFunction) | undefined;
  const withTimeout = ns["withTimeout"] as AnyFunction | undefined;
  if (SemaphoreClass === undefined || MutexClass === undefined || withTimeout === undefined) return;
  const semaphore = SemaphoreClass.prototype as SemaphoreLike & Record<symbol, unknown>;
  const mutex = MutexClass.prototype as MutexLike & Record<string, unknown>;
  if (semaphore[PATCHED] === true) return;
  semaphore[PATCHED] = true;
  const timedCallers = withTimeoutCallers(withTimeout);

  onConstruction(SemaphoreClass, "_value", (obj, value, setter) => {
    if (!inMutexConstructor(setter)) semaphoreMade(obj, value as number);
  });
  onConstruction(MutexClass, "_semaphore", (obj) => mutexMade(obj));

  const semaphoreAcquire = semaphore.acquire;
  const semaphoreRelease = semaphore.release;
  semaphore.acquire = function acquire(
    this: SemaphoreLike,
    weight = 1,
    priority = 0,
  ): Promise<[number, Release]> {
    if (!isTracked(this)) return semaphoreAcquire.call(this, weight, priority);
    const timed =
      (scheduleOn || this.getValue() < weight) &&
      timedCallers.has(callerOf(acquire as AnyFunction));
    return acquireSemaphore(this, weight, priority, semaphoreAcquire, timed);
  };
  semaphore.release = function release(this: SemaphoreLike, weight = 1): void {
    releasingSemaphore(this, weight);
    semaphoreRelease.call(this, weight);
  };
  (semaphore as unknown as Record<string, unknown>)["runExclusive"] = function runExclusive(
    this: SemaphoreLike,
    callback: (value: number) => unknown,
    weight = 1,
    priority = 0,
  ): Promise<unknown> {
    return runSemaphoreExclusive(this, callback, weight, priority);
  };

  const mutexAcquire = mutex.acquire;
  const mutexRelease = mutex.release;
  mutex.acquire = function acquire(this: MutexLike, priority = 0): Promise<Release> {
    if (!isTracked(this)) return mutexAcquire.call(this, priority);
    const timed =
      (scheduleOn || this.isLocked()) && timedCallers.has(callerOf(acquire as AnyFunction));
    return acquireMutex(this, priority, mutexAcquire, timed);
  };
  mutex.release = function release(this: MutexLike): void {
    releasingMutex(this);
    mutexRelease.call(this);
  };
  mutex["runExclusive"] = function runExclusive(
    this: MutexLike,
    callback: () => unknown,
    priority = 0,
  ): Promise<unknown> {
    return runMutexExclusive(this, callback, priority);
  };
}
