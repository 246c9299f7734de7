// A primitive of another process, as a process it reached sees it (DESIGN 3.3): the same API
// (async and Sync variants), every operation carried out by the owner's server (caller.ts,
// server.ts). It is recorded here, as this process's thread's operations, on an object of this
// process that the run's recorder maps to the owner's: one object for the whole run, so a
// cycle between processes is one wait-for cycle. It travels on, to this process's threads (a
// posted copy) and to the processes it starts (its handle), always reaching the owner itself.
import type { ObjectKind, WaitReason } from "../../protocol/events.ts";
import type { RemoteHandle } from "../../protocol/primitiveWire.ts";
import { LockStateError } from "../errors.ts";
import { guardFor, type LockGuard } from "../lockBase.ts";
import { currentIdent } from "../logicalThread.ts";
import { holdAcquiredNow, holdReleasedNow } from "../pendingHolds.ts";
import { KIND_FIELD, remember } from "../primitive.ts";
import {
  announce,
  captureSite,
  drainRecording,
  emitAcquiredAt,
  emitPrecise,
  emitReleaseAt,
  preciseTime,
  publish,
  recordingOn,
} from "../recording.ts";
import { describe, type TimeoutOptions } from "../validate.ts";
import { ArgumentError } from "../errors.ts";
import { nextObjectId } from "../world.ts";
import { callAsync, callSync } from "./caller.ts";
import { promiseOf } from "../promiseOf.ts";

/** Holds of this thread on other processes' primitives (locks and semaphore units). */
let remoteHolds = 0;

/** A hold of another process's primitive was taken (+) or given back (-) (remoteRWLock.ts). */
export function countRemoteHolds(delta: number): void {
  remoteHolds += delta;
}

/** The KIND_FIELD of a posted remote primitive (revived by its handle's kind). */
export const REMOTE_KIND = "Remote";

export type Call = (op: string, args: unknown[], blocked?: () => void) => unknown;

/** A timeout option checked here, sent as a plain `{ timeout }`. */
export function options(api: string, o: TimeoutOptions | undefined): [TimeoutOptions] | [] {
  if (o === undefined || o === null) return [];
  if (typeof o !== "object")
    throw new ArgumentError(
      `${api}: options must be an object like { timeout: 100 }, got ${describe(o)}`,
    );
  const t = o.timeout;
  if (t !== undefined && t !== Infinity && (typeof t !== "number" || Number.isNaN(t) || t < 0))
    throw new ArgumentError(
      `${api}: timeout must be a non-negative number of milliseconds, got ${describe(t)}`,
    );
  return t === undefined || t === Infinity ? [] : [{ ...o, timeout: t }];
}

export function siteHere(): number {
  return recordingOn ? captureSite() : 0;
}

export abstract class RemotePrimitive {
  declare readonly [KIND_FIELD]: string;
  /** This process's id of the object (the run maps it to the owner's). */
  readonly id: number;
  readonly name: string;
  readonly handle: RemoteHandle;

  constructor(handle: RemoteHandle, id?: number) {
    this.handle = handle;
    this.name = handle.name;
    if (id === undefined) {
      this.id = nextObjectId();
      // A Manager's containers hold plain data: not synchronization, not recorded.
      if (recordingOn && !handle.kind.startsWith("Managed")) {
        announce({
          type: "object",
          id: this.id,
          kind: handle.kind as ObjectKind,
          name: handle.name,
          site: 0,
          capacity: handle.capacity,
          origin: { pid: handle.pid, id: handle.id },
        });
      }
    } else this.id = id;
    remember(this, REMOTE_KIND);
  }

  /** The owner's kind of primitive. */
  get kind(): string {
    return this.handle.kind;
  }

  protected callAsync(op: string, args: unknown[], blocked?: () => void): Promise<unknown> {
    return callAsync(this.handle, currentIdent(), op, args, blocked);
  }

  protected callSync(op: string, args: unknown[], blocked?: () => void): unknown {
    return callSync(this.handle, currentIdent(), op, args, blocked);
  }

  protected record(kind: "set" | "clear" | "put" | "get" | "task-done" | "notify"): void {
    if (recordingOn) emitPrecise(kind, currentIdent(), this.id, 0, false);
  }

  /**
   * Before an operation that another process may act on at once (a release, a set, a put):
   * what this process recorded so far reaches the run first, so that a process killed right
   * after (by the one it signalled) leaves its holds, and the release of each, on record.
   */
  protected beforeSignal(): void {
    // Only holds matter to the others: a thread that holds nothing of another process has
    // nothing on record that its death would leave wrong (a lock it seems to hold forever).
    if (recordingOn && remoteHolds > 0) drainRecording();
  }

  /**
   * Runs a wait-capable operation through `call`, recording it like the owner's primitive
   * records its own: `begin` when the owner says it waits, `end` with the result after.
   */
  protected waiting<T>(
    call: Call,
    op: string,
    args: unknown[],
    begin: (me: number, site: number) => void,
    end: (me: number, site: number, value: unknown, waited: boolean) => T,
  ): T | Promise<T> {
    const me = currentIdent();
    const site = siteHere();
    let waited = false;
    const blocked = (): void => {
      waited = true;
      if (recordingOn) begin(me, site);
    };
    const value = call(op, args, blocked);
    if (value instanceof Promise) return value.then((v) => end(me, site, v, waited));
    return end(me, site, value, waited);
  }

  protected waitBegin(reason: WaitReason, hasTimeout: boolean): (me: number, site: number) => void {
    return (me, site) => emitPrecise("wait-begin", me, this.id, site, hasTimeout, reason);
  }

  protected waitEnd(me: number, woken: boolean, waited: boolean): void {
    if (waited && recordingOn) emitPrecise("wait-end", me, this.id, 0, woken);
  }

  toString(): string {
    return `${this.handle.kind}(${this.name}, in process ${this.handle.pid})`;
  }
}

export const async_ =
  (p: RemotePrimitive): Call =>
  (op, args, b) =>
    p["callAsync"](op, args, b);
export const sync_ =
  (p: RemotePrimitive): Call =>
  (op, args, b) =>
    p["callSync"](op, args, b);

/** Lock and RLock of another process; also what a Semaphore shares with them. */
export abstract class RemoteAcquirable extends RemotePrimitive {
  /** This process's holds: logical thread → depth. */
  readonly #holds = new Map<number, number>();

  isHeldBy(ident: number): boolean {
    return (this.#holds.get(ident) ?? 0) > 0;
  }

  protected abstract get isLock(): boolean;

  #acquire(call: Call, api: string, o: TimeoutOptions | undefined): boolean | Promise<boolean> {
    const args = options(api, o);
    return this.waiting(
      call,
      "acquire",
      args,
      (me, site) => emitPrecise("acquire-request", me, this.id, site, args.length > 0),
      (me, site, value, waited) => this.#taken(me, site, value === true, waited),
    );
  }

  #taken(me: number, site: number, ok: boolean, waited: boolean): boolean {
    if (ok) {
      remoteHolds++;
      this.#holds.set(me, (this.#holds.get(me) ?? 0) + 1);
      if (recordingOn) {
        if (this.isLock) holdAcquiredNow(this, me, site);
        else {
          emitAcquiredAt(me, this.id, site, preciseTime());
          publish();
        }
      }
    } else if (waited && recordingOn) emitPrecise("acquire-timeout", me, this.id, 0, false);
    return ok;
  }

  /** Resolves true once held, false if `timeout` ms pass first. */
  acquire(o?: TimeoutOptions): Promise<boolean> {
    return promiseOf(() => this.#acquire(async_(this), `${this.name}.acquire`, o));
  }

  /** Blocks the calling thread until held (true) or `timeout` ms pass (false). */
  acquireSync(o?: TimeoutOptions): boolean {
    return this.#acquire(sync_(this), `${this.name}.acquireSync`, o) as boolean;
  }

  tryAcquire(): boolean {
    const me = currentIdent();
    const site = siteHere();
    return this.#taken(me, site, this.callSync("tryAcquire", []) === true, false);
  }

  /** Gives back one hold (`n` units of a semaphore). */
  release(n = 1): void {
    const me = currentIdent();
    const mine = this.isHeldBy(me);
    // Recorded before the owner frees it, so no other thread's "acquired" can precede it.
    if (mine && recordingOn) for (let i = 0; i < n; i++) this.#recordRelease(me);
    this.beforeSignal();
    try {
      this.callSync("release", this.isLock ? [] : [n]);
    } catch (error) {
      if (recordingOn) {
        const kind = this.isLock ? "bad-release" : "over-release";
        emitPrecise(kind, me, this.id, captureSite(), false);
      }
      throw error;
    }
    if (!mine && recordingOn) for (let i = 0; i < n; i++) this.#recordRelease(me);
    const had = this.#holds.get(me) ?? 0;
    remoteHolds -= Math.min(had, n);
    if (had > n) this.#holds.set(me, had - n);
    else this.#holds.delete(me);
  }

  /** A Condition wait gives the lock back (every level of an RLock): recorded, returns the depth. */
  releasedForWait(me: number): number {
    const depth = this.#holds.get(me) ?? 0;
    if (recordingOn) for (let i = 0; i < depth; i++) this.#recordRelease(me);
    this.#holds.delete(me);
    remoteHolds -= depth;
    return depth;
  }

  /** ...and takes it back at the same depth once the wait is over. */
  retakenAfterWait(me: number, depth: number, site: number): void {
    for (let i = 0; i < depth; i++) this.#taken(me, site, true, false);
  }

  #recordRelease(me: number): void {
    if (this.isLock) holdReleasedNow(this, me);
    else emitReleaseAt(me, this.id, preciseTime());
  }
}

export class RemoteLock extends RemoteAcquirable {
  protected get isLock(): boolean {
    return true;
  }

  /** True while some logical thread (of any process) holds it. */
  get locked(): boolean {
    return this.callSync("locked", []) === true;
  }

  /** Waits for the lock and returns a guard: `using _ = await lock.lock()`. */
  async lock(o?: TimeoutOptions): Promise<LockGuard> {
    if (!(await this.acquire(o)))
      throw new LockStateError(`${this.name}: lock() timed out after ${o?.timeout} ms`);
    return guardFor(this);
  }

  lockSync(o?: TimeoutOptions): LockGuard {
    if (!this.acquireSync(o))
      throw new LockStateError(`${this.name}: lockSync() timed out after ${o?.timeout} ms`);
    return guardFor(this);
  }

  /** Runs `fn` holding the lock and releases it however `fn` ends. */
  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  runSync<T>(fn: () => T): T {
    this.acquireSync();
    try {
      return fn();
    } finally {
      this.release();
    }
  }
}

export class RemoteSemaphore extends RemoteAcquirable {
  protected get isLock(): boolean {
    return false;
  }

  /** The owner's counter now. */
  get value(): number {
    return this.callSync("value", []) as number;
  }
}

export class RemoteEvent extends RemotePrimitive {
  isSet(): boolean {
    return this.callSync("isSet", []) === true;
  }

  set(): void {
    this.record("set");
    this.beforeSignal();
    this.callSync("set", []);
  }

  clear(): void {
    this.record("clear");
    this.beforeSignal();
    this.callSync("clear", []);
  }

  #wait(call: Call, api: string, o: TimeoutOptions | undefined): boolean | Promise<boolean> {
    const args = options(api, o);
    return this.waiting(
      call,
      "wait",
      args,
      this.waitBegin("wait", args.length > 0),
      (me, _s, v, w) => {
        this.waitEnd(me, v === true, w);
        return v === true;
      },
    );
  }

  wait(o?: TimeoutOptions): Promise<boolean> {
    return promiseOf(() => this.#wait(async_(this), `${this.name}.wait`, o));
  }

  waitSync(o?: TimeoutOptions): boolean {
    return this.#wait(sync_(this), `${this.name}.waitSync`, o) as boolean;
  }
}
