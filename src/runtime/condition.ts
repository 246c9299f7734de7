// Condition variables (Python's threading.Condition) that work across threads: waiters take a
// ticket under the lock; notify(n) advances the "served" counter past n live tickets and wakes
// the parked waiters, who check whether their ticket was served. Tickets of waiters that
// timed out are recorded so that notify skips them instead of losing a wake-up on them.
import { rawNotify } from "./rawAtomics.ts";
import { LockStateError } from "./errors.ts";
import { Lock, RLock, type AnyLock } from "./lock.ts";
import { currentIdent } from "./logicalThread.ts";
import { park, runAsync, runSync, take, type Op } from "./effects.ts";
import { pointSync, scheduleOn } from "./schedule/scheduler.ts";
import { parkWhilePausedAsync, parkWhilePausedSync, pauseWord } from "./pause.ts";
import { KIND_FIELD, newIdentity, registerReviver, remember, revive } from "./primitive.ts";
import {
  deadlineOf,
  remaining,
  requireInteger,
  type TimeoutOptions,
  nameOptions,
} from "./validate.ts";
import type { SourceSite } from "./naming.ts";
import { recordingOn, traceCreate, traceNotify, traceWaitBegin, traceWaitEnd } from "./trace.ts";
import { promiseOf } from "./promiseOf.ts";

const ISSUED = 0;
const SERVED = 1;
const CANCELLED_COUNT = 2;
const INTERNAL = 3; // 1 for a condition inside another primitive (not recorded)
const OVERFLOW = 4; // 1 when a cancelled ticket found the list full (see #cancel)
const CANCELLED = 5; // start of the list of cancelled tickets
// A fixed size: a growable SharedArrayBuffer is a memory mapping of its own (two, in fact), and
// a program with ~32,000 live Conditions (Semaphores, Queues: each has some) exhausted the
// process' mappings (vm.max_map_count) and V8 died out of memory (issue 12's flood).
const WORDS = 32;

/** Wrap-safe "a comes after b" for int32 counters. */
function after(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

export interface ConditionOptions {
  readonly name?: string;
  readonly internal?: boolean;
}

export class Condition {
  declare readonly [KIND_FIELD]: string;
  readonly id: number;
  readonly name: string;
  readonly lock: AnyLock;
  /** Shared words: tickets issued, tickets served, cancelled tickets (growable list). */
  readonly state: Int32Array;
  readonly #site: SourceSite | undefined;
  readonly #recorded: boolean;

  constructor(lock?: AnyLock, options?: string | ConditionOptions);
  /** @internal revival of a posted copy */
  constructor(lock: AnyLock, options: undefined, state: Int32Array, id: number, name: string);
  constructor(
    lock?: AnyLock,
    options?: string | ConditionOptions,
    state?: Int32Array,
    id?: number,
    name?: string,
  ) {
    if (lock !== undefined && !(lock instanceof Lock) && !(lock instanceof RLock)) {
      throw new LockStateError("new Condition(lock): lock must be a Lock or an RLock");
    }
    if (state !== undefined && id !== undefined && name !== undefined && lock !== undefined) {
      this.id = id;
      this.name = name;
      this.lock = lock;
      this.state = state;
      this.#site = undefined;
    } else {
      const opts = nameOptions<ConditionOptions>(`new Condition()`, options);
      const identity = newIdentity("Condition", opts.name, opts.internal === true);
      this.id = identity.id;
      this.name = identity.name;
      this.#site = identity.site;
      this.lock =
        lock ?? new RLock({ name: `${identity.name}.lock`, internal: opts.internal === true });
      this.state = new Int32Array(new SharedArrayBuffer(WORDS * 4));
      this.state[INTERNAL] = opts.internal === true ? 1 : 0;
      if (opts.internal !== true) traceCreate(this.id, "Condition", this.name);
    }
    this.#recorded = recordingOn && this.state[INTERNAL] === 0;
    remember(this, "Condition");
  }

  get site(): SourceSite | undefined {
    return this.#site;
  }

  async acquire(options?: TimeoutOptions): Promise<boolean> {
    return this.lock.acquire(options);
  }

  acquireSync(options?: TimeoutOptions): boolean {
    return this.lock.acquireSync(options);
  }

  release(): void {
    this.lock.release();
  }

  #checkOwned(api: string): void {
    if (this.lock.owner !== currentIdent()) {
      throw new LockStateError(
        `${this.name}.${api}: cannot ${api} on un-acquired lock ${this.lock.name}`,
      );
    }
  }

  /** Releases the lock, waits for notify() (or the timeout), takes the lock again. */
  wait(options?: TimeoutOptions): Promise<boolean> {
    // The debugger's pause (pause.ts): stop before releasing the lock, as at an acquire.
    if (pauseWord[0] !== 0 && this.#recorded) {
      return parkWhilePausedAsync().then(() => this.wait(options));
    }
    return promiseOf(() =>
      runAsync(this.waitOp(deadlineOf(`${this.name}.wait`, options)), "wait", this),
    );
  }

  waitSync(options?: TimeoutOptions): boolean {
    if (pauseWord[0] !== 0 && this.#recorded) parkWhilePausedSync();
    return runSync(this.waitOp(deadlineOf(`${this.name}.waitSync`, options)), "wait", this);
  }

  /** Waits until `predicate()` is true; resolves its last value (false on timeout). */
  waitFor<T>(predicate: () => T, options?: TimeoutOptions): Promise<T> {
    if (pauseWord[0] !== 0 && this.#recorded) {
      return parkWhilePausedAsync().then(() => this.waitFor(predicate, options));
    }
    return promiseOf(() =>
      runAsync(
        this.waitForOp(predicate, deadlineOf(`${this.name}.waitFor`, options)),
        "wait",
        this,
      ),
    );
  }

  waitForSync<T>(predicate: () => T, options?: TimeoutOptions): T {
    if (pauseWord[0] !== 0 && this.#recorded) parkWhilePausedSync();
    return runSync(
      this.waitForOp(predicate, deadlineOf(`${this.name}.waitForSync`, options)),
      "wait",
      this,
    );
  }

  /** Wakes up to `n` waiters, in the order they started waiting. */
  notify(n = 1): void {
    requireInteger(`${this.name}.notify`, "n", n, 0);
    this.#checkOwned("notify");
    if (scheduleOn && this.#recorded) pointSync("notify", this);
    const s = this.state;
    if (this.#recorded) traceNotify(this.id, !after(s[ISSUED] ?? 0, s[SERVED] ?? 0));
    if (s[OVERFLOW] === 1) {
      // Cancelled tickets were lost: which waiters are live is not known, so all are woken
      // (each re-checks what it waits for: Semaphore, Queue and waitFor loop on it).
      this.#serveAll();
      return;
    }
    let served = s[SERVED] ?? 0;
    const issued = s[ISSUED] ?? 0;
    let left = n;
    while (left > 0 && after(issued, served)) {
      if (!this.#uncancel(served)) left--;
      served = (served + 1) | 0;
    }
    if (served !== s[SERVED]) {
      Atomics.store(s, SERVED, served);
      rawNotify(s, SERVED);
    }
  }

  notifyAll(): void {
    this.#checkOwned("notifyAll");
    if (scheduleOn && this.#recorded) pointSync("notify", this);
    const s = this.state;
    if (this.#recorded) traceNotify(this.id, !after(s[ISSUED] ?? 0, s[SERVED] ?? 0));
    this.#serveAll();
  }

  #serveAll(): void {
    const s = this.state;
    const issued = Atomics.load(s, ISSUED);
    s[CANCELLED_COUNT] = 0;
    s[OVERFLOW] = 0;
    if (issued !== s[SERVED]) {
      Atomics.store(s, SERVED, issued);
      rawNotify(s, SERVED);
    }
  }

  /** The wait, written once for wait() and waitSync(); the caller holds the lock. */
  *waitOp(deadline: number): Op<boolean> {
    this.#checkOwned("wait");
    const s = this.state;
    const ticket = Atomics.add(s, ISSUED, 1);
    const lock = this.lock;
    if (this.#recorded) traceWaitBegin(this.id, "wait", deadline !== Infinity);
    const depth = lock instanceof RLock ? lock.releaseAll() : (lock.release(), 1);
    let notified = false;
    try {
      for (;;) {
        const served = Atomics.load(s, SERVED);
        if (after(served, ticket)) {
          notified = true;
          break;
        }
        if ((yield* park(s, SERVED, served, deadline)) === "timed-out" && remaining(deadline) === 0)
          break;
      }
    } finally {
      yield* take(lock, Infinity);
      if (lock instanceof RLock) lock.restoreDepth(depth);
    }
    if (!notified) {
      // Served between our timeout and getting the lock back: that notify was for us.
      if (after(Atomics.load(s, SERVED), ticket)) notified = true;
      else this.#cancel(ticket);
    }
    if (this.#recorded) traceWaitEnd(this.id, notified);
    return notified;
  }

  *waitForOp<T>(predicate: () => T, deadline: number): Op<T> {
    let result = predicate();
    while (!result) {
      if (remaining(deadline) === 0) break;
      yield* this.waitOp(deadline);
      result = predicate();
    }
    return result;
  }

  #cancel(ticket: number): void {
    const s = this.state;
    const count = s[CANCELLED_COUNT] ?? 0;
    if (CANCELLED + count >= s.length) {
      // More timed-out waiters pending than the list holds: the next notify wakes everyone
      // rather than spend a wake-up on a waiter that is gone.
      s[OVERFLOW] = 1;
      return;
    }
    s[CANCELLED + count] = ticket;
    s[CANCELLED_COUNT] = count + 1;
  }

  /** Removes `ticket` from the cancelled list; true if it was there. */
  #uncancel(ticket: number): boolean {
    const s = this.state;
    const count = s[CANCELLED_COUNT] ?? 0;
    if (count === 0) return false;
    const all = s;
    for (let i = 0; i < count; i++) {
      if (all[CANCELLED + i] === ticket) {
        all[CANCELLED + i] = all[CANCELLED + count - 1] ?? 0;
        s[CANCELLED_COUNT] = count - 1;
        return true;
      }
    }
    return false;
  }

  toString(): string {
    return `Condition(${this.name})`;
  }
}

registerReviver("Condition", (c) => {
  const lock = revive(c["lock"]) as AnyLock;
  return new Condition(
    lock,
    undefined,
    c["state"] as Int32Array,
    c["id"] as number,
    c["name"] as string,
  );
});
