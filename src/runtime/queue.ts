// Queue, LifoQueue, PriorityQueue (Python's queue module) shared by every thread: items are
// structured-cloned into shared memory (itemStore.ts); one internal lock with three conditions
// (not empty, not full, all tasks done), as in Python's implementation.
import { Condition } from "./condition.ts";
import { ArgumentError, QueueEmpty, QueueFull, QueueShutDown, TaskDoneError } from "./errors.ts";
import { holding, runAsync, runSync, type Op } from "./effects.ts";
import { Lock } from "./lock.ts";
import {
  ItemStore,
  STORE_WORDS,
  decodeItem,
  encodeItem,
  initStore,
  newStoreBuffer,
  type Order,
} from "./itemStore.ts";
import { KIND_FIELD, newIdentity, registerReviver, remember, revive } from "./primitive.ts";
import {
  deadlineOf,
  describe,
  remaining,
  requireInteger,
  type TimeoutOptions,
  nameOptions,
} from "./validate.ts";
import type { SourceSite } from "./naming.ts";
import type { ObjectKind } from "../protocol/events.ts";
import { traceCreate, traceOperation, traceWaitBegin, traceWaitEnd } from "./trace.ts";
import { promiseOf } from "./promiseOf.ts";

const QSIZE = 0;
const UNFINISHED = 1;
const MAXSIZE = 2;
const SHUTDOWN = 3;
const STORE = 4;
const CTL_WORDS = STORE + STORE_WORDS;

export interface QueueOptions {
  readonly name?: string;
}

export interface PutOptions extends TimeoutOptions {
  /** false: fail at once with QueueFull instead of waiting for room (default true). */
  readonly block?: boolean;
}

export interface GetOptions extends TimeoutOptions {
  /** false: fail at once with QueueEmpty instead of waiting for an item (default true). */
  readonly block?: boolean;
}

interface Parts {
  readonly ctl: Int32Array;
  readonly data: SharedArrayBuffer;
  readonly mutex: Lock;
  readonly notEmpty: Condition;
  readonly notFull: Condition;
  readonly allTasksDone: Condition;
  readonly id: number;
  readonly name: string;
}

const KINDS: Record<Order, string> = {
  fifo: "Queue",
  lifo: "LifoQueue",
  priority: "PriorityQueue",
};

abstract class QueueBase<T> {
  declare readonly [KIND_FIELD]: string;
  readonly id: number;
  readonly name: string;
  readonly ctl: Int32Array;
  readonly data: SharedArrayBuffer;
  readonly mutex: Lock;
  readonly notEmpty: Condition;
  readonly notFull: Condition;
  readonly allTasksDone: Condition;
  readonly #order: Order;
  readonly #store: ItemStore;
  readonly #site: SourceSite | undefined;

  protected constructor(
    order: Order,
    maxsize: number,
    options: string | QueueOptions | undefined,
    parts?: Parts,
  ) {
    const kind = KINDS[order];
    this.#order = order;
    if (parts !== undefined) {
      ({ ctl: this.ctl, data: this.data, mutex: this.mutex, id: this.id, name: this.name } = parts);
      this.notEmpty = parts.notEmpty;
      this.notFull = parts.notFull;
      this.allTasksDone = parts.allTasksDone;
      this.#site = undefined;
    } else {
      requireInteger(`new ${kind}()`, "maxsize", maxsize, 0);
      const opts = nameOptions<QueueOptions>(`new ${kind}()`, options);
      const identity = newIdentity(kind, opts.name);
      this.id = identity.id;
      this.name = identity.name;
      this.#site = identity.site;
      this.ctl = new Int32Array(new SharedArrayBuffer(CTL_WORDS * 4));
      this.ctl[MAXSIZE] = maxsize;
      initStore(this.ctl, STORE);
      this.data = newStoreBuffer();
      this.mutex = new Lock({ name: `${identity.name}.mutex`, internal: true });
      const cond = (what: string): Condition =>
        new Condition(this.mutex, { name: `${identity.name}.${what}`, internal: true });
      this.notEmpty = cond("notEmpty");
      this.notFull = cond("notFull");
      this.allTasksDone = cond("allTasksDone");
      traceCreate(this.id, kind as ObjectKind, this.name, maxsize);
    }
    this.#store = new ItemStore(this.ctl, STORE, this.data);
    remember(this, kind);
  }

  get site(): SourceSite | undefined {
    return this.#site;
  }

  get maxsize(): number {
    return this.ctl[MAXSIZE] ?? 0;
  }

  qsize(): number {
    return Atomics.load(this.ctl, QSIZE);
  }

  empty(): boolean {
    return this.qsize() === 0;
  }

  full(): boolean {
    const max = this.maxsize;
    return max > 0 && this.qsize() >= max;
  }

  /** Items put and not yet marked done with taskDone(). */
  get unfinishedTasks(): number {
    return Atomics.load(this.ctl, UNFINISHED);
  }

  /** The key a PriorityQueue orders by; other queues keep insertion order. */
  protected keyOf(_item: T): number {
    return 0;
  }

  /** Resolves once `item` is in the queue; QueueFull when it may not wait or times out. */
  put(item: T, options?: PutOptions): Promise<void> {
    return promiseOf(() => runAsync(this.#putOp(item, options, "put"), "put", this));
  }

  putSync(item: T, options?: PutOptions): void {
    runSync(this.#putOp(item, options, "putSync"), "put", this);
  }

  putNowait(item: T): void {
    this.putSync(item, { block: false });
  }

  /** Resolves the next item; QueueEmpty when it may not wait or times out. */
  get(options?: GetOptions): Promise<T> {
    return promiseOf(
      () => runAsync(this.#getOp(options, "get"), "get", this).then(decodeItem) as Promise<T>,
    );
  }

  getSync(options?: GetOptions): T {
    return decodeItem(runSync(this.#getOp(options, "getSync"), "get", this)) as T;
  }

  getNowait(): T {
    return this.getSync({ block: false });
  }

  /** Marks one item taken with get() as processed (for join()). */
  taskDone(): void {
    const { ctl, allTasksDone, name } = this;
    traceOperation("task-done", this.id);
    runSync(
      holding(
        this.mutex,
        // eslint-disable-next-line require-yield
        (function* (): Op<void> {
          const left = (ctl[UNFINISHED] ?? 0) - 1;
          if (left < 0)
            throw new TaskDoneError(`${name}.taskDone() called more times than there were items`);
          Atomics.store(ctl, UNFINISHED, left);
          if (left === 0) allTasksDone.notifyAll();
        })(),
      ),
    );
  }

  /** Resolves once every item put has been marked done with taskDone(). */
  join(): Promise<void> {
    return runAsync(this.#joinOp(), "join", this);
  }

  joinSync(): void {
    runSync(this.#joinOp(), "join", this);
  }

  /**
   * Python 3.13's shutdown(): put() fails with QueueShutDown from now on; get() drains what is
   * left, then fails with QueueShutDown. `immediate` also drops the items left.
   */
  shutdown(immediate = false): void {
    const { ctl, notEmpty, notFull, allTasksDone } = this;
    const store = this.#store;
    const order = this.#order;
    runSync(
      holding(
        this.mutex,
        // eslint-disable-next-line require-yield
        (function* (): Op<void> {
          Atomics.store(ctl, SHUTDOWN, 1);
          if (immediate) {
            while (store.take(order) !== undefined) {
              Atomics.sub(ctl, QSIZE, 1);
              Atomics.sub(ctl, UNFINISHED, 1);
            }
            if ((ctl[UNFINISHED] ?? 0) <= 0) allTasksDone.notifyAll();
          }
          notEmpty.notifyAll();
          notFull.notifyAll();
        })(),
      ),
    );
  }

  get isShutDown(): boolean {
    return Atomics.load(this.ctl, SHUTDOWN) === 1;
  }

  *#putOp(item: T, options: PutOptions | undefined, api: string): Op<void> {
    const block = options?.block ?? true;
    const deadline = deadlineOf(`${this.name}.${api}`, options);
    const key = this.keyOf(item);
    let bytes: Uint8Array;
    try {
      bytes = encodeItem(item);
    } catch (error) {
      throw new ArgumentError(
        `${this.name}.${api}: the item cannot be copied to other threads (${(error as Error).message})`,
      );
    }
    const { ctl, notEmpty, notFull, name, id } = this;
    const store = this.#store;
    yield* holding(
      this.mutex,
      (function* (): Op<void> {
        const max = ctl[MAXSIZE] ?? 0;
        let waited = false;
        try {
          for (;;) {
            if (ctl[SHUTDOWN] === 1) throw new QueueShutDown(`${name} is shut down`);
            if (max === 0 || (ctl[QSIZE] ?? 0) < max) break;
            if (!block || remaining(deadline) === 0)
              throw new QueueFull(`${name} is full (maxsize ${max})`);
            if (!waited) traceWaitBegin(id, "put", deadline !== Infinity);
            waited = true;
            yield* notFull.waitOp(deadline);
          }
        } finally {
          if (waited) traceWaitEnd(id, (ctl[QSIZE] ?? 0) < max);
        }
        traceOperation("put", id);
        store.add(bytes, key);
        Atomics.add(ctl, QSIZE, 1);
        Atomics.add(ctl, UNFINISHED, 1);
        notEmpty.notify();
      })(),
    );
  }

  *#getOp(options: GetOptions | undefined, api: string): Op<Uint8Array> {
    const block = options?.block ?? true;
    const deadline = deadlineOf(`${this.name}.${api}`, options);
    const { ctl, notEmpty, notFull, name, id } = this;
    const store = this.#store;
    const order = this.#order;
    return yield* holding(
      this.mutex,
      (function* (): Op<Uint8Array> {
        let waited = false;
        try {
          for (;;) {
            if ((ctl[QSIZE] ?? 0) > 0) break;
            if (ctl[SHUTDOWN] === 1) throw new QueueShutDown(`${name} is shut down and empty`);
            if (!block || remaining(deadline) === 0) throw new QueueEmpty(`${name} is empty`);
            if (!waited) traceWaitBegin(id, "get", deadline !== Infinity);
            waited = true;
            yield* notEmpty.waitOp(deadline);
          }
        } finally {
          if (waited) traceWaitEnd(id, (ctl[QSIZE] ?? 0) > 0);
        }
        traceOperation("get", id);
        const bytes = store.take(order);
        if (bytes === undefined) throw new Error(`${name}: queue storage lost an item`);
        Atomics.sub(ctl, QSIZE, 1);
        notFull.notify();
        return bytes;
      })(),
    );
  }

  *#joinOp(): Op<void> {
    const { ctl, allTasksDone, id } = this;
    yield* holding(
      this.mutex,
      (function* (): Op<void> {
        if ((ctl[UNFINISHED] ?? 0) === 0) return;
        traceWaitBegin(id, "join", false);
        while ((ctl[UNFINISHED] ?? 0) > 0) yield* allTasksDone.waitOp(Infinity);
        traceWaitEnd(id, true);
      })(),
    );
  }

  toString(): string {
    return `${this[KIND_FIELD]}(${this.name}, ${this.qsize()} items)`;
  }
}

function partsOf(c: Record<string, unknown>): Parts {
  return {
    ctl: c["ctl"] as Int32Array,
    data: c["data"] as SharedArrayBuffer,
    mutex: revive(c["mutex"]) as Lock,
    notEmpty: revive(c["notEmpty"]) as Condition,
    notFull: revive(c["notFull"]) as Condition,
    allTasksDone: revive(c["allTasksDone"]) as Condition,
    id: c["id"] as number,
    name: c["name"] as string,
  };
}

/** First in, first out. */
export class Queue<T = unknown> extends QueueBase<T> {
  constructor(maxsize?: number, options?: string | QueueOptions);
  /** @internal */
  constructor(maxsize: number, options: undefined, parts: Parts);
  constructor(maxsize = 0, options?: string | QueueOptions, parts?: Parts) {
    super("fifo", maxsize, options, parts);
  }
}

/** Last in, first out. */
export class LifoQueue<T = unknown> extends QueueBase<T> {
  constructor(maxsize?: number, options?: string | QueueOptions);
  /** @internal */
  constructor(maxsize: number, options: undefined, parts: Parts);
  constructor(maxsize = 0, options?: string | QueueOptions, parts?: Parts) {
    super("lifo", maxsize, options, parts);
  }
}

/**
 * Lowest priority first, then first in. An item is a number (its own priority), a tuple
 * `[priority, ...rest]`, or an object with a numeric `priority` field.
 */
export class PriorityQueue<T = unknown> extends QueueBase<T> {
  constructor(maxsize?: number, options?: string | QueueOptions);
  /** @internal */
  constructor(maxsize: number, options: undefined, parts: Parts);
  constructor(maxsize = 0, options?: string | QueueOptions, parts?: Parts) {
    super("priority", maxsize, options, parts);
  }

  protected override keyOf(item: T): number {
    if (typeof item === "number") return item;
    if (Array.isArray(item) && typeof item[0] === "number") return item[0];
    if (item !== null && typeof item === "object") {
      const priority = (item as { priority?: unknown }).priority;
      if (typeof priority === "number") return priority;
    }
    throw new ArgumentError(
      `${this.name}.put: a PriorityQueue item must be a number, a [priority, value] tuple or an object with a numeric priority, got ${describe(item)}`,
    );
  }
}

registerReviver("Queue", (c) => new Queue(0, undefined, partsOf(c)));
registerReviver("LifoQueue", (c) => new LifoQueue(0, undefined, partsOf(c)));
registerReviver("PriorityQueue", (c) => new PriorityQueue(0, undefined, partsOf(c)));
