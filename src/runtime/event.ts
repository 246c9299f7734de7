// Event (Python's threading.Event): a shared flag that threads wait on until some thread sets it.
import { Condition } from "./condition.ts";
import { holding, runAsync, runSync, type Op } from "./effects.ts";
import { Lock } from "./lock.ts";
import { KIND_FIELD, newIdentity, registerReviver, remember, revive } from "./primitive.ts";
import { deadlineOf, remaining, type TimeoutOptions, nameOptions } from "./validate.ts";
import type { SourceSite } from "./naming.ts";
import { traceCreate, traceOperation, traceWaitBegin, traceWaitEnd } from "./trace.ts";
import { promiseOf } from "./promiseOf.ts";

const FLAG = 0;

export interface EventOptions {
  readonly name?: string;
}

export class Event {
  declare readonly [KIND_FIELD]: string;
  readonly id: number;
  readonly name: string;
  readonly state: Int32Array;
  readonly cond: Condition;
  readonly #site: SourceSite | undefined;

  constructor(options?: string | EventOptions);
  /** @internal */
  constructor(
    options: undefined,
    revived: { state: Int32Array; cond: Condition; id: number; name: string },
  );
  constructor(
    options?: string | EventOptions,
    revived?: { state: Int32Array; cond: Condition; id: number; name: string },
  ) {
    if (revived !== undefined) {
      this.id = revived.id;
      this.name = revived.name;
      this.state = revived.state;
      this.cond = revived.cond;
      this.#site = undefined;
    } else {
      const opts = nameOptions<EventOptions>(`new Event()`, options);
      const identity = newIdentity("Event", opts.name);
      this.id = identity.id;
      this.name = identity.name;
      this.#site = identity.site;
      this.state = new Int32Array(new SharedArrayBuffer(4));
      this.cond = new Condition(new Lock({ name: `${identity.name}.lock`, internal: true }), {
        name: `${identity.name}.cond`,
        internal: true,
      });
      traceCreate(this.id, "Event", this.name);
    }
    remember(this, "Event");
  }

  get site(): SourceSite | undefined {
    return this.#site;
  }

  isSet(): boolean {
    return Atomics.load(this.state, FLAG) === 1;
  }

  /** Sets the flag and wakes every waiter. */
  set(): void {
    traceOperation("set", this.id);
    const { state, cond } = this;
    runSync(
      holding(
        cond.lock,
        // eslint-disable-next-line require-yield
        (function* (): Op<void> {
          Atomics.store(state, FLAG, 1);
          cond.notifyAll();
        })(),
      ),
      "set",
      this,
    );
  }

  clear(): void {
    traceOperation("clear", this.id);
    const { state, cond } = this;
    runSync(
      holding(
        cond.lock,
        // eslint-disable-next-line require-yield
        (function* (): Op<void> {
          Atomics.store(state, FLAG, 0);
        })(),
      ),
    );
  }

  /** Resolves true once the flag is set, false if `timeout` ms pass first. */
  wait(options?: TimeoutOptions): Promise<boolean> {
    if (this.isSet()) return Promise.resolve(true);
    return promiseOf(() =>
      runAsync(this.#waitOp(deadlineOf(`${this.name}.wait`, options)), "wait", this),
    );
  }

  waitSync(options?: TimeoutOptions): boolean {
    if (this.isSet()) return true;
    return runSync(this.#waitOp(deadlineOf(`${this.name}.waitSync`, options)), "wait", this);
  }

  *#waitOp(deadline: number): Op<boolean> {
    const { state, cond, id } = this;
    return yield* holding(
      cond.lock,
      (function* (): Op<boolean> {
        let waited = false;
        while (Atomics.load(state, FLAG) === 0) {
          if (remaining(deadline) === 0) {
            if (waited) traceWaitEnd(id, false);
            return false;
          }
          if (!waited) traceWaitBegin(id, "wait", deadline !== Infinity);
          waited = true;
          yield* cond.waitOp(deadline);
        }
        if (waited) traceWaitEnd(id, true);
        return true;
      })(),
    );
  }

  toString(): string {
    return `Event(${this.name}, ${this.isSet() ? "set" : "clear"})`;
  }
}

registerReviver(
  "Event",
  (c) =>
    new Event(undefined, {
      state: c["state"] as Int32Array,
      cond: revive(c["cond"]) as Condition,
      id: c["id"] as number,
      name: c["name"] as string,
    }),
);
