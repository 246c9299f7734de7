// What Lock and RLock share: identity, shared state (the mutex word, the owner's logical thread
// id, the RLock depth, and whether the lock is internal), the guard helpers, and the recording
// of acquisitions. State lives in a SharedArrayBuffer, so a lock posted to a worker is the
// same lock there.
import type { ObjectKind } from "../protocol/events.ts";
import { LockStateError } from "./errors.ts";
import { currentIdent } from "./logicalThread.ts";
import { lockWordAsync, lockWordSync, waitWhileHeldAsync } from "./mutexWord.ts";
import type { SourceSite } from "./naming.ts";
import { parkWhilePausedAsync, parkWhilePausedSync, pauseWord } from "./pause.ts";
import { KIND_FIELD, newIdentity, remember } from "./primitive.ts";
import { captureRawStack, captureSite, emitPrecise, recordingOn } from "./recording.ts";
import { pointAsync, pointSync, scheduleOn } from "./schedule/scheduler.ts";
import { mayRecordBranch, recordBranch, recordIdent } from "./recordIdent.ts";
import {
  holdAcquired,
  holdReleased,
  holdsAny,
  releaseSolo,
  requestEnded,
  requestRecorded,
  unreleaseSolo,
} from "./pendingHolds.ts";
import { traceCreate } from "./trace.ts";
import { deadlineOf, nameOptions, remaining, type TimeoutOptions } from "./validate.ts";

export const WORD = 0;
export const OWNER = 1;
export const DEPTH = 2;
const INTERNAL = 3;
const WORDS = 4;

const RESOLVED_TRUE: Promise<boolean> = Promise.resolve(true);

// Site capture policy (DESIGN 4): a stack costs microseconds, so the uncontended path captures
// only the first acquisitions of each lock in this thread, acquisitions made while holding
// another lock (the lock-order analysis needs those) up to a bound, and then 1 in 65536.
// Which acquisitions become events at all is pendingHolds.ts' business.
const FIRST_SITES = 4;
const NESTED_SITES = 64;
const SAMPLE_MASK = 65535;
/** Lock waits shorter than this are not recorded as requests (see takeWordSync). */
const SHORT_WAIT_MS = 5;

export interface LockOptions {
  readonly name?: string;
  /** Internal locks (inside Queue, Semaphore, ...) are not user-visible objects. */
  readonly internal?: boolean;
}

/** A held lock, released by `using` (or by calling release() / [Symbol.dispose]() yourself). */
export interface LockGuard extends Disposable {
  release(): void;
}

export function guardFor(lock: { release(): void }): LockGuard {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    lock.release();
  };
  return { release, [Symbol.dispose]: release };
}

/** Anything taken by acquire() and given back by release(): a lock, a semaphore unit. */
export interface Acquirable {
  acquire(): Promise<boolean>;
  release(): void;
}

/** Runs `fn` holding `unit` (acquired without timeout), releasing it however `fn` ends. */
export async function runAcquired<T>(unit: Acquirable, fn: () => T | Promise<T>): Promise<T> {
  await unit.acquire();
  try {
    return await fn();
  } finally {
    unit.release();
  }
}

export abstract class LockBase {
  declare readonly [KIND_FIELD]: string;
  readonly id: number;
  readonly name: string;
  /** Shared words: mutex word, owner logical thread id, RLock depth, internal flag. */
  readonly state: Int32Array;
  /** Where user code created this lock (undefined for internal and posted copies). */
  readonly #site: SourceSite | undefined;
  readonly #recorded: boolean;
  #takes = 0;
  // Recording identity (recordIdent.ts): the logical thread the current hold is recorded as (a
  // Promise.all branch, or 0 when it is the owner itself), and the owner it belongs to. Per
  // OS thread (a posted copy has its own), as the holds of pendingHolds.ts are.
  #holderRec = 0;
  #holderOwner = 0;
  /** Set while takeNow() runs for an async acquire: its acquisition is noted after one hop. */
  #deferNote = false;
  #deferredReentry = false;
  /** The async acquisition whose note is still to come (0: none); a release cancels it. */
  #pendingNote = 0;
  #notes = 0;

  /** Whether this lock's operations are recorded (recording on, and not an internal lock). */
  get recorded(): boolean {
    return this.#recorded;
  }

  protected constructor(
    kind: ObjectKind,
    arg: string | LockOptions | undefined,
    state?: Int32Array,
    id?: number,
    name?: string,
  ) {
    if (state !== undefined && id !== undefined && name !== undefined) {
      this.id = id;
      this.name = name;
      this.state = state;
      this.#site = undefined;
    } else {
      const options = nameOptions<LockOptions>(`new ${kind}()`, arg);
      const internal = options.internal === true;
      const identity = newIdentity(kind, options.name, internal);
      this.id = identity.id;
      this.name = identity.name;
      this.#site = identity.site;
      this.state = new Int32Array(new SharedArrayBuffer(WORDS * 4));
      this.state[INTERNAL] = internal ? 1 : 0;
      if (!internal) traceCreate(this.id, kind, this.name);
    }
    this.#recorded = recordingOn && this.state[INTERNAL] === 0;
    remember(this, kind);
  }

  get site(): SourceSite | undefined {
    return this.#site;
  }

  /** True while some logical thread holds the lock. */
  get locked(): boolean {
    return Atomics.load(this.state, WORD) !== 0;
  }

  /** The logical thread id of the holder, 0 when free. */
  get owner(): number {
    return Atomics.load(this.state, WORD) === 0 ? 0 : Atomics.load(this.state, OWNER);
  }

  /**
   * Takes the lock for `me` if that needs no wait (a free word; for an RLock, also re-entry by
   * its holder) and marks it taken; `contended`: a free word is marked contended (see
   * tryLockWordContended). False when someone else holds it.
   */
  protected abstract takeNow(me: number, contended: boolean): boolean;
  /** Marks the lock taken by `me` once the slow path has won the word. */
  protected abstract markTaken(me: number): void;
  abstract release(): void;

  /** Resolves true once held, false if `timeout` ms pass first; never blocks the event loop. */
  acquire(options?: TimeoutOptions): Promise<boolean> {
    // The debugger's pause: one plain load on the fast path (pause.ts).
    if (pauseWord[0] !== 0 && this.#recorded) {
      return parkWhilePausedAsync().then(() => this.acquire(options));
    }
    // A controlled schedule (DESIGN 8.1): the point may wait for another thread's turn first.
    if (scheduleOn && this.#recorded) return this.#scheduledTake(options);
    return this.#take(options);
  }

  /**
   * The point, then the acquisition: one async method awaiting both, so that the note's
   * reaction still sees a Promise.all branch in V8's async stack (a `then` returning #take's
   * promise would hide it: its note runs before that promise is chained).
   */
  async #scheduledTake(options: TimeoutOptions | undefined): Promise<boolean> {
    await pointAsync("acquire", this, this[KIND_FIELD]);
    return await this.#take(options);
  }

  #take(options: TimeoutOptions | undefined): Promise<boolean> {
    let deadline = Infinity;
    if (options !== undefined) {
      try {
        deadline = deadlineOf(`${this.name}.acquire`, options);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const me = currentIdent();
    if (!this.#recorded) {
      if (this.takeNow(me, false)) return RESOLVED_TRUE;
      return this.#acquireSlow(me, deadline);
    }
    // Taken now (the same program with or without the preload), noted after one hop: a
    // Promise.all branch is told apart only once its combinator holds it (recordIdent.ts).
    this.#deferNote = true;
    let taken: boolean;
    try {
      taken = this.takeNow(me, false);
    } finally {
      this.#deferNote = false;
    }
    if (!taken) return this.#acquireSlow(me, deadline);
    const reentry = this.#deferredReentry;
    const note = (this.#notes = (this.#notes + 1) | 0 || 1);
    this.#pendingNote = note;
    return RESOLVED_TRUE.then(() => {
      // Released before (an acquire not awaited): that hold was never noted, nor its release.
      if (this.#pendingNote !== note) return true;
      this.#pendingNote = 0;
      this.noteAcquired(me, reentry);
      return true;
    });
  }

  async #acquireSlow(me: number, deadline: number): Promise<boolean> {
    const ok = await this.takeWordAsync(deadline);
    if (ok) this.markTaken(me);
    return ok;
  }

  /** Blocks the calling thread until held (true) or `timeout` ms pass (false). */
  acquireSync(options?: TimeoutOptions): boolean {
    if (pauseWord[0] !== 0 && this.#recorded) parkWhilePausedSync();
    if (scheduleOn && this.#recorded) pointSync("acquire", this, this[KIND_FIELD]);
    const deadline =
      options === undefined ? Infinity : deadlineOf(`${this.name}.acquireSync`, options);
    const me = currentIdent();
    if (this.takeNow(me, false)) return true;
    if (!this.takeWordSync(deadline)) return false;
    this.markTaken(me);
    return true;
  }

  /** Takes the lock if that needs no wait. */
  tryAcquire(): boolean {
    return this.takeNow(currentIdent(), false);
  }

  /** tryAcquire() for a caller that has waited: keeps the word marked contended. */
  tryAcquireContended(): boolean {
    return this.takeNow(currentIdent(), true);
  }

  /**
   * Waits until the lock may be free, without taking it. With tryAcquireContended() this lets
   * async code take a lock and go on in the same tick, never holding it across a microtask
   * hop in which sync code of the same thread could block on it forever.
   */
  waitWhileHeld(deadline: number): Promise<void> {
    return waitWhileHeldAsync(this.state, WORD, deadline);
  }

  /** Waits for the lock and returns a guard: `using _ = await lock.lock()`. */
  async lock(options?: TimeoutOptions): Promise<LockGuard> {
    if (!(await this.acquire(options))) {
      throw new LockStateError(`${this.name}: lock() timed out after ${options?.timeout} ms`);
    }
    return guardFor(this);
  }

  /** Sync variant of lock(): blocks the thread. */
  lockSync(options?: TimeoutOptions): LockGuard {
    if (!this.acquireSync(options)) {
      throw new LockStateError(`${this.name}: lockSync() timed out after ${options?.timeout} ms`);
    }
    return guardFor(this);
  }

  /** Runs `fn` holding the lock and releases it however `fn` ends. */
  run<T>(fn: () => T | Promise<T>): Promise<T> {
    return runAcquired(this, fn);
  }

  /** Sync variant of run(). */
  runSync<T>(fn: () => T): T {
    this.acquireSync();
    try {
      return fn();
    } finally {
      this.release();
    }
  }

  /**
   * Records a successful take by `me` (every level of an RLock; `reentry`: a level above the
   * first); see pendingHolds.ts.
   */
  protected noteAcquired(me: number, reentry = false): void {
    if (!this.#recorded) return;
    if (this.#deferNote || this.#holderRec !== 0 || mayRecordBranch()) {
      this.#noteBranchAware(me, reentry);
      return;
    }
    const n = this.#takes++;
    if (n < NESTED_SITES || (n & SAMPLE_MASK) === 0) this.#noteAcquiredAt(n, me);
    else holdAcquired(this, me, 0);
  }

  // noteAcquired() where a Promise.all branch may hold it or take it (recordIdent.ts).
  #noteBranchAware(me: number, reentry: boolean): void {
    if (this.#deferNote) {
      this.#deferredReentry = reentry;
      return;
    }
    const n = this.#takes++;
    if (reentry && this.#holderRec !== 0 && this.#holderOwner === me) {
      // A level of the hold already recorded: the same logical thread.
      const rec = this.#holderRec;
      holdAcquired(this, rec, n < NESTED_SITES ? this.#siteOf(n, rec) : 0);
      return;
    }
    const branch = recordBranch();
    if (branch === undefined || branch.ident === me) {
      this.#holderRec = 0;
      holdAcquired(this, me, n < NESTED_SITES || (n & SAMPLE_MASK) === 0 ? this.#siteOf(n, me) : 0);
      return;
    }
    this.#holderRec = branch.ident;
    this.#holderOwner = me;
    holdAcquired(this, branch.ident, branch.site !== 0 ? branch.site : captureSite());
  }

  // The rest of the site policy, out of noteAcquired(): V8 inlines that into every acquire, and
  // the smaller the recorded acquireSync() is, the likelier it is inlined into its callers. The
  // stack is raw: it becomes a site only if the hold is recorded (the capture is inside the
  // critical section this acquisition begins; formatted, it made hundreds of threads queue).
  #noteAcquiredAt(n: number, me: number): void {
    const wanted = n < FIRST_SITES || (n & SAMPLE_MASK) === 0 || holdsAny(me);
    holdAcquired(this, me, 0, wanted ? captureRawStack() : undefined);
  }

  // The same policy, formatted at once, where a Promise.all branch may hold it (rarer).
  #siteOf(n: number, me: number): number {
    return n < FIRST_SITES || (n & SAMPLE_MASK) === 0 || holdsAny(me) ? captureSite() : 0;
  }

  /** The logical thread a release by `me` is recorded as: the branch holding it, if any. */
  #releaser(me: number): number {
    return this.#holderRec !== 0 && this.#holderOwner === me ? this.#holderRec : me;
  }

  /** `last`: the release frees the lock (not a level of an RLock held deeper). */
  protected noteRelease(me: number, last = true): void {
    if (!this.#recorded) return;
    if (this.#pendingNote !== 0) {
      // The release of an acquisition not noted yet: neither is recorded.
      this.#pendingNote = 0;
      return;
    }
    holdReleased(this, this.#releaser(me));
    if (last) this.#holderRec = 0;
  }

  /**
   * noteRelease() for the common case, done before knowing whether the lock is held: true if
   * this was `me`'s isolated, unsampled hold (nothing to record); the caller must then call
   * unnoteRelease() if the word turns out to be free. False: use noteRelease().
   */
  protected noteReleaseOptimistic(me: number): boolean {
    if (!this.#recorded || this.#pendingNote !== 0) return false;
    if (this.#holderRec === 0) return releaseSolo(this, me);
    if (!releaseSolo(this, this.#releaser(me))) return false;
    this.#holderRec = 0;
    return true;
  }

  /** Takes back a noteReleaseOptimistic() that returned true (the release was a bad one). */
  protected unnoteRelease(): void {
    unreleaseSolo(this);
  }

  /** Whether logical thread `ident` holds this lock now. */
  isHeldBy(ident: number): boolean {
    if (Atomics.load(this.state, WORD) === 0) return false;
    const owner = this.state[OWNER];
    return owner === ident || (this.#holderRec === ident && owner === this.#holderOwner);
  }

  /**
   * Takes the mutex word, waiting until `deadline`. A wait shorter than SHORT_WAIT_MS is
   * not recorded (the hand-offs of a busy lock are most of its waits, and the request event
   * costs a stack capture); a longer one is recorded as a request with its site, which is all
   * that a deadlock, a hang or a contention report needs. Returns false on timeout.
   */
  protected takeWordSync(deadline: number): boolean {
    if (!this.#recorded) return lockWordSync(this.state, WORD, deadline);
    if (
      lockWordSync(this.state, WORD, Math.min(deadline, performance.now() + SHORT_WAIT_MS), true)
    ) {
      return true;
    }
    if (remaining(deadline) === 0) return false;
    const rec = recordIdent();
    this.noteRequest(rec, deadline !== Infinity);
    if (lockWordSync(this.state, WORD, deadline)) return true;
    this.noteTimeout(rec);
    return false;
  }

  /** Async variant of takeWordSync(). */
  protected async takeWordAsync(deadline: number): Promise<boolean> {
    if (!this.#recorded) return lockWordAsync(this.state, WORD, deadline);
    if (
      await lockWordAsync(this.state, WORD, Math.min(deadline, performance.now() + SHORT_WAIT_MS))
    ) {
      return true;
    }
    if (remaining(deadline) === 0) return false;
    // After an await: a branch is known here (recordIdent.ts).
    const rec = recordIdent();
    this.noteRequest(rec, deadline !== Infinity);
    if (await lockWordAsync(this.state, WORD, deadline)) return true;
    this.noteTimeout(rec);
    return false;
  }

  /** Records that `rec` (recordIdent) must wait for the lock. */
  protected noteRequest(rec: number, hasTimeout: boolean): void {
    if (!this.#recorded) return;
    emitPrecise("acquire-request", rec, this.id, captureSite(), hasTimeout);
    // The acquisition that ends it is recorded (pendingHolds.ts).
    requestRecorded(rec, this.id);
  }

  protected noteTimeout(rec: number): void {
    if (!this.#recorded) return;
    requestEnded(rec, this.id);
    emitPrecise("acquire-timeout", rec, this.id, 0, false);
  }

  protected noteBadRelease(me: number): void {
    if (this.#recorded) {
      emitPrecise("bad-release", this.#releaser(me), this.id, captureSite(), false);
    }
  }

  toString(): string {
    return `${this[KIND_FIELD]}(${this.name}, ${this.locked ? "locked" : "unlocked"})`;
  }
}
