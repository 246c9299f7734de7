// Semaphore and BoundedSemaphore (Python's threading.Semaphore / BoundedSemaphore): a shared
// counter guarded by an internal lock, with a condition to wait for it to become positive.
import { Condition } from "./condition.ts";
import { OverReleaseError } from "./errors.ts";
import { holding, runAsync, runSync, type Op } from "./effects.ts";
import { Lock } from "./lock.ts";
import { runAcquired } from "./lockBase.ts";
import { KIND_FIELD, newIdentity, registerReviver, remember, revive } from "./primitive.ts";
import { scheduleOn } from "./schedule/scheduler.ts";
import { recordingOn } from "./recording.ts";
import {
  deadlineOf,
  remaining,
  requireInteger,
  type TimeoutOptions,
  nameOptions,
} from "./validate.ts";
import type { SourceSite } from "./naming.ts";
import type { ObjectKind } from "../protocol/events.ts";
import {
  traceAcquireRequest,
  traceAcquireTimeout,
  traceCreate,
  traceMisuse,
  traceSemaphore,
} from "./trace.ts";
import { promiseOf } from "./promiseOf.ts";

const VALUE = 0;
const LIMIT = 1; // initial value of a BoundedSemaphore, -1 for a plain Semaphore
const WAITERS = 2; // threads registered to wait (under the internal lock) for a unit
const WORDS = 3;

const RESOLVED_TRUE: Promise<boolean> = Promise.resolve(true);

/** Takes a unit if one is free (compare-and-swap: the fast path takes no lock). */
function takeUnit(s: Int32Array): boolean {
  for (;;) {
    const value = Atomics.load(s, VALUE);
    if (value <= 0) return false;
    if (Atomics.compareExchange(s, VALUE, value, value - 1) === value) return true;
  }
}

export interface SemaphoreOptions {
  readonly name?: string;
}

interface Revived {
  readonly state: Int32Array;
  readonly cond: Condition;
  readonly id: number;
  readonly name: string;
}

export class Semaphore {
  declare readonly [KIND_FIELD]: string;
  readonly id: number;
  readonly name: string;
  /** Shared words: the counter and the bound. */
  readonly state: Int32Array;
  readonly cond: Condition;
  readonly #site: SourceSite | undefined;

  constructor(value?: number, options?: string | SemaphoreOptions);
  /** @internal */
  constructor(value: number, options: undefined, revived: Revived);
  constructor(value = 1, options?: string | SemaphoreOptions, revived?: Revived) {
    const kind = new.target === BoundedSemaphore ? "BoundedSemaphore" : "Semaphore";
    if (revived !== undefined) {
      this.id = revived.id;
      this.name = revived.name;
      this.state = revived.state;
      this.cond = revived.cond;
      this.#site = undefined;
    } else {
      requireInteger(`new ${kind}()`, "value", value, 0);
      const opts = nameOptions<SemaphoreOptions>(`new ${kind}()`, options);
      const identity = newIdentity(kind, opts.name);
      this.id = identity.id;
      this.name = identity.name;
      this.#site = identity.site;
      this.state = new Int32Array(new SharedArrayBuffer(WORDS * 4));
      this.state[VALUE] = value;
      this.state[LIMIT] = kind === "BoundedSemaphore" ? value : -1;
      this.cond = new Condition(new Lock({ name: `${identity.name}.lock`, internal: true }), {
        name: `${identity.name}.cond`,
        internal: true,
      });
      traceCreate(this.id, kind as ObjectKind, this.name, value);
    }
    remember(this, kind);
  }

  get site(): SourceSite | undefined {
    return this.#site;
  }

  /** The current counter (how many more acquire() calls would not wait). */
  get value(): number {
    return Atomics.load(this.state, VALUE);
  }

  // A free unit is taken without the internal lock and without allocating: a flood of
  // acquire/release pairs made garbage for every pair (generators, effects), and the workers'
  // heaps grew with it (issue 12). Waiting, releasing to a waiter and controlled schedules take
  // the generator path.

  /** Resolves true once a unit is taken, false if `timeout` ms pass first. */
  acquire(options?: TimeoutOptions): Promise<boolean> {
    if (options === undefined && !scheduleOn && takeUnit(this.state)) {
      if (!recordingOn) return RESOLVED_TRUE;
      // Taken now, recorded after one hop: a Promise.all branch is told apart only once its
      // combinator holds it (recordIdent.ts).
      return RESOLVED_TRUE.then(() => {
        traceSemaphore("acquired", this.id);
        return true;
      });
    }
    return promiseOf(() =>
      runAsync(this.#acquireOp(deadlineOf(`${this.name}.acquire`, options)), "acquire", this),
    );
  }

  acquireSync(options?: TimeoutOptions): boolean {
    if (options === undefined && !scheduleOn && this.#takeNow()) return true;
    return runSync(
      this.#acquireOp(deadlineOf(`${this.name}.acquireSync`, options)),
      "acquire",
      this,
    );
  }

  /** Takes a unit if one is free, without waiting. */
  tryAcquire(): boolean {
    return this.#takeNow();
  }

  #takeNow(): boolean {
    if (!takeUnit(this.state)) return false;
    traceSemaphore("acquired", this.id);
    return true;
  }

  /** Gives back `n` units and wakes as many waiters. */
  release(n = 1): void {
    if (n !== 1) requireInteger(`${this.name}.release`, "n", n, 1);
    const s = this.state;
    const limit = s[LIMIT] ?? -1;
    for (;;) {
      const value = Atomics.load(s, VALUE);
      if (limit >= 0 && value + n > limit) this.#overRelease(limit);
      if (Atomics.compareExchange(s, VALUE, value, value + n) === value) break;
    }
    // A waiter registers (WAITERS) before it looks at the value, and this looks at WAITERS
    // after adding to the value: one of the two sees the other. The notify is under the
    // internal lock, so a registered waiter has its ticket by then.
    const waiters = Atomics.load(s, WAITERS) > 0;
    for (let i = 0; i < n; i++) traceSemaphore("release", this.id, 0, waiters && i === n - 1);
    if (waiters) runSync(holding(this.cond.lock, this.#notifyOp(n)));
  }

  #overRelease(limit: number): never {
    traceMisuse("over-release", this.id);
    throw new OverReleaseError(
      `${this.name}: BoundedSemaphore released too many times (limit ${limit})`,
    );
  }

  /** Runs `fn` holding one unit. */
  run<T>(fn: () => T | Promise<T>): Promise<T> {
    return runAcquired(this, fn);
  }

  *#acquireOp(deadline: number): Op<boolean> {
    const { state: s, cond, id } = this;
    return yield* holding(
      cond.lock,
      (function* (): Op<boolean> {
        let waited = false;
        try {
          for (;;) {
            if (takeUnit(s)) {
              traceSemaphore("acquired", id, 0, waited);
              return true;
            }
            if (remaining(deadline) === 0) {
              if (waited) traceAcquireTimeout(id);
              return false;
            }
            if (!waited) {
              traceAcquireRequest(id, deadline !== Infinity);
              waited = true;
              // Registered, then the value is looked at again before the wait (see release).
              Atomics.add(s, WAITERS, 1);
              continue;
            }
            yield* cond.waitOp(deadline);
          }
        } finally {
          if (waited) Atomics.sub(s, WAITERS, 1);
        }
      })(),
    );
  }

  // A generator only so that holding() can wrap it; it never blocks.
  // eslint-disable-next-line require-yield
  *#notifyOp(n: number): Op<void> {
    this.cond.notify(n);
  }

  toString(): string {
    return `${this[KIND_FIELD]}(${this.name}, value=${this.value})`;
  }
}

/** A Semaphore whose release() above the initial value throws OverReleaseError. */
export class BoundedSemaphore extends Semaphore {}

function reviveSemaphore(ctor: typeof Semaphore) {
  return (c: Record<string, unknown>): object =>
    new ctor(0, undefined, {
      state: c["state"] as Int32Array,
      cond: revive(c["cond"]) as Condition,
      id: c["id"] as number,
      name: c["name"] as string,
    });
}

registerReviver("Semaphore", reviveSemaphore(Semaphore));
registerReviver("BoundedSemaphore", reviveSemaphore(BoundedSemaphore));
