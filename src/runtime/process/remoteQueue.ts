// Queue and Condition of another process (remote.ts has the rest): the same API, recorded like
// the owner's own (a Queue's put/get waits and operations; a Condition's wait with the release
// and retaking of its lock around it, so the lock-order and wait-for analyses see both).
import type { RemoteHandle } from "../../protocol/primitiveWire.ts";
import { LockStateError } from "../errors.ts";
import { currentIdent } from "../logicalThread.ts";
import { emitPrecise, recordingOn } from "../recording.ts";
import type { TimeoutOptions } from "../validate.ts";
import {
  RemotePrimitive,
  async_,
  options,
  siteHere,
  sync_,
  type Call,
  type RemoteLock,
} from "./remote.ts";
import { promiseOf } from "../promiseOf.ts";
import { withHandles } from "../itemStore.ts";
import { revive } from "../primitive.ts";

interface QueueCallOptions extends TimeoutOptions {
  readonly block?: boolean;
}

export class RemoteQueue<T = unknown> extends RemotePrimitive {
  get maxsize(): number {
    return this.handle.capacity;
  }

  qsize(): number {
    return this.callSync("qsize", []) as number;
  }

  empty(): boolean {
    return this.callSync("empty", []) === true;
  }

  full(): boolean {
    return this.callSync("full", []) === true;
  }

  #put(call: Call, api: string, item: T, o: QueueCallOptions | undefined): void | Promise<void> {
    const args: unknown[] = [
      // Primitives inside go as their handles (itemStore.ts), and come out as primitives.
      withHandles(item),
      ...(o === undefined ? [] : [{ ...options(api, o)[0], block: o.block }]),
    ];
    // An unbounded queue takes every item at once: its put is recorded before it goes, so a get
    // of another process can never come first in the run's order.
    const early = this.maxsize === 0;
    if (early) this.record("put");
    this.beforeSignal();
    const timed = o?.timeout !== undefined && o.timeout !== Infinity;
    return this.waiting(call, "put", args, this.waitBegin("put", timed), (me, _s, _v, w) => {
      this.waitEnd(me, true, w);
      if (!early) this.record("put");
    }) as void | Promise<void>;
  }

  #get(call: Call, api: string, o: QueueCallOptions | undefined): T | Promise<T> {
    const args: unknown[] = o === undefined ? [] : [{ ...options(api, o)[0], block: o.block }];
    const timed = o?.timeout !== undefined && o.timeout !== Infinity;
    return this.waiting(call, "get", args, this.waitBegin("get", timed), (me, _s, v, w) => {
      this.waitEnd(me, true, w);
      this.record("get");
      return revive(v) as T;
    });
  }

  put(item: T, o?: QueueCallOptions): Promise<void> {
    return promiseOf(() => this.#put(async_(this), `${this.name}.put`, item, o));
  }

  putSync(item: T, o?: QueueCallOptions): void {
    this.#put(sync_(this), `${this.name}.putSync`, item, o);
  }

  putNowait(item: T): void {
    this.putSync(item, { block: false });
  }

  get(o?: QueueCallOptions): Promise<T> {
    return promiseOf(() => this.#get(async_(this), `${this.name}.get`, o));
  }

  getSync(o?: QueueCallOptions): T {
    return this.#get(sync_(this), `${this.name}.getSync`, o) as T;
  }

  getNowait(): T {
    return this.getSync({ block: false });
  }

  taskDone(): void {
    this.record("task-done");
    this.beforeSignal();
    this.callSync("taskDone", []);
  }

  join(): Promise<void> {
    return Promise.resolve(
      this.waiting(async_(this), "join", [], this.waitBegin("join", false), (me, _s, _v, w) =>
        this.waitEnd(me, true, w),
      ),
    );
  }

  joinSync(): void {
    this.waiting(sync_(this), "join", [], this.waitBegin("join", false), (me, _s, _v, w) =>
      this.waitEnd(me, true, w),
    );
  }

  shutdown(immediate = false): void {
    this.beforeSignal();
    this.callSync("shutdown", [immediate]);
  }

  get isShutDown(): boolean {
    return this.callSync("isShutDown", []) === true;
  }
}

export class RemoteCondition extends RemotePrimitive {
  /** The Condition's lock (the same object as the lock passed on its own, if it was). */
  readonly lock: RemoteLock;

  constructor(handle: RemoteHandle, lock: RemoteLock, id?: number) {
    super(handle, id);
    this.lock = lock;
  }

  acquire(o?: TimeoutOptions): Promise<boolean> {
    return this.lock.acquire(o);
  }

  acquireSync(o?: TimeoutOptions): boolean {
    return this.lock.acquireSync(o);
  }

  release(): void {
    this.lock.release();
  }

  #wait(call: Call, api: string, o: TimeoutOptions | undefined): boolean | Promise<boolean> {
    const me = currentIdent();
    if (!this.lock.isHeldBy(me))
      throw new LockStateError(
        `${this.name}.wait: cannot wait on un-acquired lock ${this.lock.name}`,
      );
    const args = options(api, o);
    const site = siteHere();
    if (recordingOn) emitPrecise("wait-begin", me, this.id, site, args.length > 0, "wait");
    const depth = this.lock.releasedForWait(me);
    this.beforeSignal();
    const end = (value: unknown): boolean => {
      this.lock.retakenAfterWait(me, depth, site);
      this.waitEnd(me, value === true, true);
      return value === true;
    };
    const value = call("wait", args);
    return value instanceof Promise ? value.then(end) : end(value);
  }

  /** Releases the lock, waits for notify() (or the timeout), takes the lock again. */
  wait(o?: TimeoutOptions): Promise<boolean> {
    return promiseOf(() => this.#wait(async_(this), `${this.name}.wait`, o));
  }

  waitSync(o?: TimeoutOptions): boolean {
    return this.#wait(sync_(this), `${this.name}.waitSync`, o) as boolean;
  }

  /** Waits until `predicate()` is truthy (checked with the lock held); returns its last value. */
  async waitFor<T>(predicate: () => T, o?: TimeoutOptions): Promise<T> {
    const deadline = o?.timeout === undefined ? Infinity : performance.now() + o.timeout;
    let result = predicate();
    while (!result) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      await this.wait(deadline === Infinity ? undefined : { timeout: left });
      result = predicate();
    }
    return result;
  }

  waitForSync<T>(predicate: () => T, o?: TimeoutOptions): T {
    const deadline = o?.timeout === undefined ? Infinity : performance.now() + o.timeout;
    let result = predicate();
    while (!result) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      this.waitSync(deadline === Infinity ? undefined : { timeout: left });
      result = predicate();
    }
    return result;
  }

  notify(n = 1): void {
    this.record("notify");
    this.callSync("notify", [n]);
  }

  notifyAll(): void {
    this.record("notify");
    this.callSync("notifyAll", []);
  }
}

export class RemoteBarrier extends RemotePrimitive {
  get parties(): number {
    return this.handle.capacity;
  }

  get nWaiting(): number {
    return this.callSync("nWaiting", []) as number;
  }

  get broken(): boolean {
    return this.callSync("broken", []) === true;
  }

  #wait(call: Call, api: string, o: TimeoutOptions | undefined): number | Promise<number> {
    const args = options(api, o);
    const me = currentIdent();
    let waited = false;
    const failed = (error: unknown): never => {
      this.waitEnd(me, false, waited);
      throw error;
    };
    this.beforeSignal();
    try {
      const value = this.waiting(
        call,
        "wait",
        args,
        (who, site) => {
          waited = true;
          this.waitBegin("barrier", args.length > 0)(who, site);
        },
        (who, _s, v, w) => {
          this.waitEnd(who, true, w);
          return v as number;
        },
      );
      return value instanceof Promise ? value.catch(failed) : value;
    } catch (error) {
      return failed(error);
    }
  }

  /** Resolves this arrival's index once all parties have arrived. */
  wait(o?: TimeoutOptions): Promise<number> {
    return promiseOf(() => this.#wait(async_(this), `${this.name}.wait`, o));
  }

  waitSync(o?: TimeoutOptions): number {
    return this.#wait(sync_(this), `${this.name}.waitSync`, o) as number;
  }

  abort(): void {
    this.beforeSignal();
    this.callSync("abort", []);
  }

  reset(): void {
    this.beforeSignal();
    this.callSync("reset", []);
  }
}
