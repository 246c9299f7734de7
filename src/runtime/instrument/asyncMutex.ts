// The async-mutex package (≥ 0.4), recorded without any change to the program (DESIGN 3.2).
// Its Mutex and Semaphore classes are replaced, where the package defines them, by subclasses
// (register.ts's CommonJS hook patches lib/*.js exports; loaderHooks.ts rewrites the ES module
// build's tail): instanceof, every method and the package's own internal uses keep working.
// A Mutex is recorded as a Lock and a Semaphore as a Semaphore, named from the creation site,
// so the wait-for and lock-order analyses cover them. A Mutex's internal Semaphore is not a
// user object and records nothing. withTimeout/tryAcquire wrappers make their acquisitions
// timed (a timed wait never makes a deadlock), and their timeouts are recorded.
//
// Every acquisition hands the program a promise derived from a reaction of our own, where the
// stack tells the Promise.all branch and the site (branches.ts, cached by call path).
//
// Under a controlled schedule (DESIGN 8.1) an acquisition is a scheduling point before the
// library sees it (its queue order is the order it is called in), and a release is one too.
import type { ObjectKind } from "../../protocol/events.ts";
import { traitsOf } from "../../protocol/kinds.ts";
import { newIdentity } from "../primitive.ts";
import { emitAcquired, emitPrecise, emitRelease } from "../recording.ts";
import { holdAcquired, holdReleased, requestEnded, requestRecorded } from "../pendingHolds.ts";
import { traceCreate } from "../trace.ts";
import { branchAndSite, type BranchSite } from "./branches.ts";
import { branchesMayRun } from "./combinators.ts";
import { currentIdent } from "../logicalThread.ts";
import { waitEnded, waitStarted } from "./pendingWaits.ts";
import {
  pointAsync,
  pointSync,
  scheduleOn,
  scheduledParkIdent,
  scheduledUnpark,
} from "../schedule/scheduler.ts";

export type Release = () => void;
type Ctor = new (...args: never[]) => object;

export interface SemaphoreLike {
  acquire(weight?: number, priority?: number): Promise<[number, Release]>;
  release(weight?: number): void;
  isLocked(): boolean;
  getValue(): number;
}
export interface MutexLike {
  acquire(priority?: number): Promise<Release>;
  release(): void;
  isLocked(): boolean;
}

/** Holds of instrumented objects in this OS thread now (any logical thread's). */
let heldHere = 0;
/** Acquisitions of an object whose site is always taken (its first ones). */
const FIRST_SITES = 4;

/** Recording state of one instrumented object (and what a scheduling point is about). */
class Tracked {
  /** Logical threads holding it, oldest first (one entry per unit for semaphores). */
  readonly holders: number[] = [];
  /** Acquisitions recorded so far. */
  acquisitions = 0;
  /** A Mutex (a lock), not a Semaphore: its holds are a Lock's (pendingHolds.ts). */
  readonly isLock: boolean;
  constructor(
    readonly id: number,
    readonly kind: ObjectKind,
    readonly name: string,
  ) {
    this.isLock = traitsOf(kind).lock;
  }

  isHeldBy(ident: number): boolean {
    return this.holders.includes(ident);
  }

  released(ident: number | undefined): void {
    const at = ident === undefined ? 0 : this.holders.indexOf(ident);
    const removed = this.holders.splice(Math.max(at, 0), 1);
    if (removed.length > 0 && heldHere > 0) heldHere--;
    const holder = removed[0] ?? ident ?? 0;
    if (this.isLock) holdReleased(this, holder);
    else emitRelease(holder, this.id);
  }

  /** `ident` got it (at `site`, 0 if not read). */
  acquired(ident: number, site: number): void {
    this.holders.push(ident);
    heldHere++;
    // A Mutex's hold is a Lock's (pendingHolds.ts): an isolated one is not recorded (a sample
    // is), nested ones and those held when something may block are. Each recorded acquisition
    // and release was two events for the recorder to analyze (an async-mutex loop overflowed
    // the ring). A Semaphore's units are recorded as they come.
    if (this.isLock) holdAcquired(this, ident, site);
    else emitAcquired(ident, this.id, site);
  }
}

const tracked = new WeakMap<object, Tracked>();
/** > 0 while a Mutex constructor runs: its Semaphore is internal. */
let constructingMutex = 0;
/** > 0 while a withTimeout wrapper calls acquire(): that acquisition is timed. */
let timedDepth = 0;

function track(obj: object, kind: ObjectKind, label: string, capacity: number): void {
  const identity = newIdentity(label, undefined);
  tracked.set(obj, new Tracked(identity.id, kind, identity.name));
  traceCreate(identity.id, kind, identity.name, capacity);
}

/**
 * The acquiring logical thread and its site. Reading the call path (a structured stack capture,
 * most of an instrumented acquisition's cost) is needed only where it decides something: a
 * combinator's branch may be running (which logical thread), the acquisition waits (a request
 * needs its site), another instrumented object is held here (a lock-order edge needs its site),
 * or it is one of the object's first. Otherwise the caller's own thread, no site (issue 13).
 */
function whoAndWhere(t: Tracked, mustWait: boolean): BranchSite {
  const n = t.acquisitions++;
  if (mustWait || heldHere > 0 || n < FIRST_SITES || branchesMayRun()) return branchAndSite();
  return { ident: currentIdent(), site: 0 };
}

/**
 * Records one acquisition around `start` (the library's own promise): the request if it must
 * wait, the acquisition with the acquiring branch's ident, and a release function that records
 * the release once.
 */
function recordAcquire<T>(
  t: Tracked,
  timed: boolean,
  mustWait: boolean,
  start: Promise<T>,
  releaseOf: (value: T) => Release,
  wrap: (value: T, release: Release) => T,
): Promise<T> {
  return Promise.resolve().then(() => {
    const { ident, site } = whoAndWhere(t, mustWait);
    // Scheduled: a waiting acquirer is parked, so that others need not wait for it.
    let parked = -1;
    if (mustWait) {
      emitPrecise("acquire-request", ident, t.id, site, timed);
      // The acquisition that ends a recorded request is always recorded (pendingHolds.ts).
      if (t.isLock) requestRecorded(ident, t.id);
      waitStarted();
      if (scheduleOn) parked = scheduledParkIdent(ident);
    }
    return start.then(
      (value) => {
        scheduledUnpark(parked);
        if (mustWait) waitEnded();
        t.acquired(ident, site);
        const release = releaseOf(value);
        let done = false;
        return wrap(value, () => {
          if (scheduleOn && !done) pointSync("release", t, label(t));
          if (!done) t.released(ident);
          done = true;
          release();
        });
      },
      (error: unknown) => {
        scheduledUnpark(parked);
        if (mustWait) {
          waitEnded();
          if (t.isLock) requestEnded(ident, t.id);
          emitPrecise("acquire-timeout", ident, t.id, 0, false);
        }
        throw error;
      },
    );
  });
}

const label = (t: Tracked): string => (t.isLock ? "Mutex" : "Semaphore");

/**
 * `acquire` (the library's acquisition, recorded) after the scheduling point: one async
 * function awaiting both, so that the recording's reaction still sees the Promise.all branch
 * through V8's async stack (a `then` returning the recorded promise would hide it).
 */
async function scheduledAcquire<T>(t: Tracked, acquire: () => Promise<T>): Promise<T> {
  await pointAsync("acquire", t, label(t));
  return await acquire();
}

/** A user Semaphore was made (not a Mutex's own): recorded as one, named from its site. */
export function semaphoreMade(semaphore: object, value: number): void {
  if (constructingMutex === 0) track(semaphore, "Semaphore", "Semaphore", value);
}

/** A Mutex was made: recorded as a Lock, named from its site. */
export function mutexMade(mutex: object): void {
  track(mutex, "Lock", "Mutex", 0);
}

/** Whether `obj` is recorded (a Mutex's own Semaphore and objects made before are not). */
export function isTracked(obj: object): boolean {
  return tracked.has(obj);
}

/**
 * Semaphore#acquire recorded (`obj` tracked), `acquire` being the library's own; `timed`: a
 * withTimeout wrapper calls it (else as timedDepth says).
 */
export function acquireSemaphore(
  obj: SemaphoreLike,
  weight: number,
  priority: number,
  acquire: (weight: number, priority: number) => Promise<[number, Release]>,
  timed = timedDepth > 0,
): Promise<[number, Release]> {
  const t = tracked.get(obj) as Tracked;
  const record = () =>
    recordAcquire(
      t,
      timed,
      obj.getValue() < weight,
      acquire.call(obj, weight, priority),
      ([, release]) => release,
      ([value], release): [number, Release] => [value, release],
    );
  return scheduleOn ? scheduledAcquire(t, record) : record();
}

/** Mutex#acquire recorded (`obj` tracked); see acquireSemaphore. */
export function acquireMutex(
  obj: MutexLike,
  priority: number,
  acquire: (priority: number) => Promise<Release>,
  timed = timedDepth > 0,
): Promise<Release> {
  const t = tracked.get(obj) as Tracked;
  const record = () =>
    recordAcquire(
      t,
      timed,
      obj.isLocked(),
      acquire.call(obj, priority),
      (release) => release,
      (_, release) => release,
    );
  return scheduleOn ? scheduledAcquire(t, record) : record();
}

/** Semaphore#release recorded, before the library's own. */
export function releasingSemaphore(obj: object, weight: number): void {
  const t = tracked.get(obj);
  if (t === undefined) return;
  if (scheduleOn) pointSync("release", t, label(t));
  for (let i = 0; i < weight; i++) t.released(undefined);
}

/** Mutex#release recorded, before the library's own. */
export function releasingMutex(obj: MutexLike): void {
  const t = tracked.get(obj);
  if (t === undefined || !obj.isLocked()) return;
  if (scheduleOn) pointSync("release", t, label(t));
  t.released(undefined);
}

/**
 * runExclusive through the recorded acquire, as an async function: the recording's reaction
 * then sees the Promise.all branch through V8's async stack (the library's own runExclusive
 * is a generator, and a Mutex's goes to its own Semaphore, which records nothing).
 */
export async function runSemaphoreExclusive<R>(
  obj: SemaphoreLike,
  callback: (value: number) => R | Promise<R>,
  weight = 1,
  priority = 0,
): Promise<R> {
  const [value, release] = await obj.acquire(weight, priority);
  try {
    return await callback(value);
  } finally {
    release();
  }
}

/** Mutex#runExclusive; see runSemaphoreExclusive. */
export async function runMutexExclusive<R>(
  obj: MutexLike,
  callback: () => R | Promise<R>,
  priority = 0,
): Promise<R> {
  const release = await obj.acquire(priority);
  try {
    return await callback();
  } finally {
    release();
  }
}

/** Runs `make` (a Mutex's construction): the Semaphore it makes is its own, not recorded. */
export function makingMutex<T>(make: () => T): T {
  constructingMutex++;
  try {
    return make();
  } finally {
    constructingMutex--;
  }
}

export function instrumentSemaphore<C extends Ctor>(Base: C): C {
  const Traced = class extends (Base as unknown as new (
    value: number,
    e?: Error,
  ) => SemaphoreLike) {
    constructor(value: number, cancelError?: Error) {
      super(value, cancelError);
      semaphoreMade(this, value);
    }
    override acquire(weight = 1, priority = 0): Promise<[number, Release]> {
      if (!tracked.has(this)) return super.acquire(weight, priority);
      return acquireSemaphore(this, weight, priority, (w, p) => super.acquire(w, p));
    }
    runExclusive<R>(callback: (value: number) => R | Promise<R>, weight = 1, priority = 0) {
      return runSemaphoreExclusive(this, callback, weight, priority);
    }
    override release(weight = 1): void {
      releasingSemaphore(this, weight);
      super.release(weight);
    }
  };
  Object.defineProperty(Traced, "name", { value: Base.name });
  return Traced as unknown as C;
}

export function instrumentMutex<C extends Ctor>(Base: C): C {
  const Traced = class extends (Base as unknown as new (e?: Error) => MutexLike) {
    constructor(cancelError?: Error) {
      constructingMutex++;
      try {
        super(cancelError);
      } finally {
        constructingMutex--;
      }
      mutexMade(this);
    }
    override acquire(priority = 0): Promise<Release> {
      if (!tracked.has(this)) return super.acquire(priority);
      return acquireMutex(this, priority, (p) => super.acquire(p));
    }
    runExclusive<R>(callback: () => R | Promise<R>, priority = 0): Promise<R> {
      return runMutexExclusive(this, callback, priority);
    }
    override release(): void {
      releasingMutex(this);
      super.release();
    }
  };
  Object.defineProperty(Traced, "name", { value: Base.name });
  return Traced as unknown as C;
}

interface Acquirable {
  acquire(...args: unknown[]): Promise<unknown>;
}

/** withTimeout(sync, ms): the wrapper's acquisitions are timed waits. */
export function instrumentWithTimeout<F extends (...args: never[]) => unknown>(original: F): F {
  const wrapped = function (this: unknown, ...args: Parameters<F>): unknown {
    const inner = original.apply(this, args) as Acquirable;
    const acquire = inner.acquire.bind(inner);
    inner.acquire = (...acquireArgs: unknown[]): Promise<unknown> => {
      timedDepth++;
      try {
        return acquire(...acquireArgs);
      } finally {
        timedDepth--;
      }
    };
    return inner;
  };
  return wrapped as unknown as F;
}
