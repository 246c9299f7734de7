// Barrier (Python's threading.Barrier): `parties` threads wait until all have arrived, then all
// go on. A timeout or abort() breaks it: every waiter, present and future, gets
// BrokenBarrierError until reset().
import { Condition } from "./condition.ts";
import { BrokenBarrierError } from "./errors.ts";
import { holding, runAsync, runSync, type Op } from "./effects.ts";
import { Lock } from "./lock.ts";
import { KIND_FIELD, newIdentity, registerReviver, remember, revive } from "./primitive.ts";
import {
  deadlineOf,
  remaining,
  requireInteger,
  type TimeoutOptions,
  nameOptions,
} from "./validate.ts";
import type { SourceSite } from "./naming.ts";
import { traceCreate, traceWaitBegin, traceWaitEnd } from "./trace.ts";
import { promiseOf } from "./promiseOf.ts";

const PARTIES = 0;
const COUNT = 1;
const PHASE = 2; // 0 filling, 1 draining, -1 resetting, -2 broken

const FILLING = 0;
const DRAINING = 1;
const RESETTING = -1;
const BROKEN = -2;

export interface BarrierOptions {
  readonly name?: string;
  /** Default timeout (ms) of wait() calls that give none. */
  readonly timeout?: number;
}

interface Revived {
  readonly state: Int32Array;
  readonly cond: Condition;
  readonly id: number;
  readonly name: string;
}

export class Barrier {
  declare readonly [KIND_FIELD]: string;
  readonly id: number;
  readonly name: string;
  readonly state: Int32Array;
  readonly cond: Condition;
  readonly defaultTimeout: number | undefined;
  readonly #site: SourceSite | undefined;

  constructor(parties: number, options?: string | BarrierOptions);
  /** @internal */
  constructor(parties: number, options: undefined, revived: Revived);
  constructor(parties: number, options?: string | BarrierOptions, revived?: Revived) {
    if (revived !== undefined) {
      this.id = revived.id;
      this.name = revived.name;
      this.state = revived.state;
      this.cond = revived.cond;
      this.defaultTimeout = undefined;
      this.#site = undefined;
    } else {
      requireInteger("new Barrier()", "parties", parties, 1);
      const opts = nameOptions<BarrierOptions>(`new Barrier()`, options);
      deadlineOf("new Barrier()", { timeout: opts.timeout });
      const identity = newIdentity("Barrier", opts.name);
      this.id = identity.id;
      this.name = identity.name;
      this.#site = identity.site;
      this.defaultTimeout = opts.timeout;
      this.state = new Int32Array(new SharedArrayBuffer(12));
      this.state[PARTIES] = parties;
      this.cond = new Condition(new Lock({ name: `${identity.name}.lock`, internal: true }), {
        name: `${identity.name}.cond`,
        internal: true,
      });
      traceCreate(this.id, "Barrier", this.name, parties);
    }
    remember(this, "Barrier");
  }

  get site(): SourceSite | undefined {
    return this.#site;
  }

  get parties(): number {
    return this.state[PARTIES] ?? 0;
  }

  /** How many threads are waiting now. */
  get nWaiting(): number {
    const phase = Atomics.load(this.state, PHASE);
    return phase === FILLING ? Atomics.load(this.state, COUNT) : 0;
  }

  get broken(): boolean {
    return Atomics.load(this.state, PHASE) === BROKEN;
  }

  /** Waits for all parties; resolves this thread's arrival index (0 .. parties-1). */
  wait(options?: TimeoutOptions): Promise<number> {
    return promiseOf(() => runAsync(this.#waitOp(this.#deadline("wait", options)), "wait", this));
  }

  waitSync(options?: TimeoutOptions): number {
    return runSync(this.#waitOp(this.#deadline("waitSync", options)), "wait", this);
  }

  /** Breaks the barrier: current and future waiters get BrokenBarrierError until reset(). */
  abort(): void {
    runSync(holding(this.cond.lock, this.#breakOp()));
  }

  /** Back to the initial state; threads waiting now get BrokenBarrierError. */
  reset(): void {
    const { state, cond } = this;
    runSync(
      holding(
        cond.lock,
        // eslint-disable-next-line require-yield
        (function* (): Op<void> {
          if ((state[COUNT] ?? 0) > 0) {
            if (state[PHASE] === FILLING) state[PHASE] = RESETTING;
            else if (state[PHASE] === BROKEN) state[PHASE] = RESETTING;
          } else {
            state[PHASE] = FILLING;
          }
          cond.notifyAll();
        })(),
      ),
    );
  }

  #deadline(api: string, options: TimeoutOptions | undefined): number {
    const timeout = options?.timeout ?? this.defaultTimeout;
    return deadlineOf(`${this.name}.${api}`, timeout === undefined ? undefined : { timeout });
  }

  // eslint-disable-next-line require-yield
  *#breakOp(): Op<void> {
    Atomics.store(this.state, PHASE, BROKEN);
    this.cond.notifyAll();
  }

  *#waitOp(deadline: number): Op<number> {
    const { state, cond, name, id } = this;
    const broken = (why: string): BrokenBarrierError =>
      new BrokenBarrierError(`barrier ${name} ${why}`);
    return yield* holding(
      cond.lock,
      (function* (): Op<number> {
        // Wait for a previous round to drain or a reset to finish.
        while (state[PHASE] === DRAINING || state[PHASE] === RESETTING)
          yield* cond.waitOp(Infinity);
        if (state[PHASE] === BROKEN) throw broken("is broken");
        const index = state[COUNT] ?? 0;
        state[COUNT] = index + 1;
        try {
          if (index + 1 === state[PARTIES]) {
            state[PHASE] = DRAINING;
            cond.notifyAll();
          } else {
            traceWaitBegin(id, "barrier", deadline !== Infinity);
            while (state[PHASE] === FILLING) {
              if (remaining(deadline) === 0) {
                Atomics.store(state, PHASE, BROKEN);
                cond.notifyAll();
                traceWaitEnd(id, false);
                throw broken("broken: wait timed out");
              }
              yield* cond.waitOp(deadline);
            }
            traceWaitEnd(id, state[PHASE] === DRAINING);
            if (state[PHASE] !== DRAINING) throw broken("is broken");
          }
          return index;
        } finally {
          // The last one out opens the barrier for the next round.
          state[COUNT] = (state[COUNT] ?? 1) - 1;
          if (state[COUNT] === 0 && (state[PHASE] === DRAINING || state[PHASE] === RESETTING)) {
            state[PHASE] = FILLING;
            cond.notifyAll();
          }
        }
      })(),
    );
  }

  toString(): string {
    return `Barrier(${this.name}, ${this.nWaiting}/${this.parties})`;
  }
}

registerReviver(
  "Barrier",
  (c) =>
    new Barrier(1, undefined, {
      state: c["state"] as Int32Array,
      cond: revive(c["cond"]) as Condition,
      id: c["id"] as number,
      name: c["name"] as string,
    }),
);
