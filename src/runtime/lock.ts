// Lock and RLock: mutual exclusion across worker threads and async tasks. State lives in a
// SharedArrayBuffer (the mutex word, the owner's logical thread id, the RLock depth), so a lock
// posted to a worker is the same lock there.
import { LockStateError } from "./errors.ts";
import { currentIdent } from "./logicalThread.ts";
import {
  lockWordAsync,
  lockWordSync,
  tryLockWord,
  tryLockWordContended,
  unlockWord,
  waitWhileHeldAsync,
} from "./mutexWord.ts";
import { KIND_FIELD, newIdentity, registerReviver, remember } from "./primitive.ts";
import { deadlineOf, nameOptions, type TimeoutOptions } from "./validate.ts";
import type { SourceSite } from "./naming.ts";

const WORD = 0;
const OWNER = 1;
const DEPTH = 2;
const WORDS = 4;

const RESOLVED_TRUE: Promise<boolean> = Promise.resolve(true);

export interface LockOptions {
  readonly name?: string;
  /** Internal locks (inside Queue, Semaphore, ...) are not user-visible objects. */
  readonly internal?: boolean;
}

/** A held lock, released by `using` (or by calling release() / [Symbol.dispose]() yourself). */
export interface LockGuard extends Disposable {
  release(): void;
}

function guardFor(lock: { release(): void }): LockGuard {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    lock.release();
  };
  return { release, [Symbol.dispose]: release };
}

abstract class LockBase {
  readonly [KIND_FIELD]: string;
  readonly id: number;
  readonly name: string;
  /** Shared words: mutex word, owner logical thread id, RLock depth. */
  readonly state: Int32Array;
  /** Where user code created this lock (undefined for internal and posted copies). */
  readonly #site: SourceSite | undefined;

  protected constructor(
    kind: string,
    arg: string | LockOptions | undefined,
    state?: Int32Array,
    id?: number,
    name?: string,
  ) {
    this[KIND_FIELD] = kind;
    if (state !== undefined && id !== undefined && name !== undefined) {
      this.id = id;
      this.name = name;
      this.state = state;
      this.#site = undefined;
    } else {
      const options = nameOptions<LockOptions>(`new ${kind}()`, arg);
      const identity = newIdentity(kind, options.name, options.internal === true);
      this.id = identity.id;
      this.name = identity.name;
      this.#site = identity.site;
      this.state = new Int32Array(new SharedArrayBuffer(WORDS * 4));
    }
    remember(this.id, this);
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

  abstract acquire(options?: TimeoutOptions): Promise<boolean>;
  abstract tryAcquire(): boolean;
  /** tryAcquire() for a caller that has waited: keeps the word marked contended. */
  abstract tryAcquireContended(): boolean;

  /**
   * Waits until the lock may be free, without taking it. With tryAcquireContended() this lets
   * async code take a lock and go on in the same tick, never holding it across a microtask
   * hop in which sync code of the same thread could block on it forever.
   */
  waitWhileHeld(deadline: number): Promise<void> {
    return waitWhileHeldAsync(this.state, WORD, deadline);
  }
  abstract acquireSync(options?: TimeoutOptions): boolean;
  abstract release(): void;

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
  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
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

  toString(): string {
    return `${this[KIND_FIELD]}(${this.name})`;
  }
}

/** A non-reentrant lock (Python's threading.Lock). Any thread may release it while held. */
export class Lock extends LockBase {
  constructor(nameOrOptions?: string | LockOptions);
  /** @internal revival of a posted copy */
  constructor(nameOrOptions: undefined, state: Int32Array, id: number, name: string);
  constructor(
    nameOrOptions?: string | LockOptions,
    state?: Int32Array,
    id?: number,
    name?: string,
  ) {
    super("Lock", nameOrOptions, state, id, name);
  }

  /** Resolves true once held, false if `timeout` ms pass first; never blocks the event loop. */
  acquire(options?: TimeoutOptions): Promise<boolean> {
    const s = this.state;
    if (options === undefined && tryLockWord(s, WORD)) {
      s[OWNER] = currentIdent();
      return RESOLVED_TRUE;
    }
    let deadline: number;
    try {
      deadline = deadlineOf(`${this.name}.acquire`, options);
    } catch (error) {
      return Promise.reject(error);
    }
    return lockWordAsync(s, WORD, deadline).then((ok) => {
      if (ok) s[OWNER] = currentIdent();
      return ok;
    });
  }

  /** Blocks the calling thread until held (true) or `timeout` ms pass (false). */
  acquireSync(options?: TimeoutOptions): boolean {
    const s = this.state;
    if (options === undefined && tryLockWord(s, WORD)) {
      s[OWNER] = currentIdent();
      return true;
    }
    const ok = lockWordSync(s, WORD, deadlineOf(`${this.name}.acquireSync`, options));
    if (ok) s[OWNER] = currentIdent();
    return ok;
  }

  /** Takes the lock if it is free, without waiting. */
  tryAcquire(): boolean {
    if (!tryLockWord(this.state, WORD)) return false;
    this.state[OWNER] = currentIdent();
    return true;
  }

  tryAcquireContended(): boolean {
    if (!tryLockWordContended(this.state, WORD)) return false;
    this.state[OWNER] = currentIdent();
    return true;
  }

  release(): void {
    const s = this.state;
    s[OWNER] = 0;
    if (!unlockWord(s, WORD)) throw new LockStateError(`release of unlocked lock ${this.name}`);
  }
}

/** A reentrant lock (Python's threading.RLock): its holder may take it again; per logical thread. */
export class RLock extends LockBase {
  constructor(nameOrOptions?: string | LockOptions);
  /** @internal revival of a posted copy */
  constructor(nameOrOptions: undefined, state: Int32Array, id: number, name: string);
  constructor(
    nameOrOptions?: string | LockOptions,
    state?: Int32Array,
    id?: number,
    name?: string,
  ) {
    super("RLock", nameOrOptions, state, id, name);
  }

  /** How many times the holder has taken it (0 when free). */
  get depth(): number {
    return this.locked ? Atomics.load(this.state, DEPTH) : 0;
  }

  /** True when the calling logical thread holds it. */
  isOwned(): boolean {
    return this.locked && Atomics.load(this.state, OWNER) === currentIdent();
  }

  acquire(options?: TimeoutOptions): Promise<boolean> {
    const s = this.state;
    const me = currentIdent();
    if (s[OWNER] === me && Atomics.load(s, WORD) !== 0) {
      s[DEPTH] = (s[DEPTH] ?? 0) + 1;
      return RESOLVED_TRUE;
    }
    if (options === undefined && tryLockWord(s, WORD)) {
      s[OWNER] = me;
      s[DEPTH] = 1;
      return RESOLVED_TRUE;
    }
    let deadline: number;
    try {
      deadline = deadlineOf(`${this.name}.acquire`, options);
    } catch (error) {
      return Promise.reject(error);
    }
    return lockWordAsync(s, WORD, deadline).then((ok) => {
      if (ok) {
        s[OWNER] = me;
        s[DEPTH] = 1;
      }
      return ok;
    });
  }

  acquireSync(options?: TimeoutOptions): boolean {
    const s = this.state;
    const me = currentIdent();
    if (s[OWNER] === me && Atomics.load(s, WORD) !== 0) {
      s[DEPTH] = (s[DEPTH] ?? 0) + 1;
      return true;
    }
    const deadline =
      options === undefined ? Infinity : deadlineOf(`${this.name}.acquireSync`, options);
    if (!lockWordSync(s, WORD, deadline)) return false;
    s[OWNER] = me;
    s[DEPTH] = 1;
    return true;
  }

  tryAcquire(): boolean {
    const s = this.state;
    const me = currentIdent();
    if (s[OWNER] === me && Atomics.load(s, WORD) !== 0) {
      s[DEPTH] = (s[DEPTH] ?? 0) + 1;
      return true;
    }
    if (!tryLockWord(s, WORD)) return false;
    s[OWNER] = me;
    s[DEPTH] = 1;
    return true;
  }

  tryAcquireContended(): boolean {
    const s = this.state;
    if (!tryLockWordContended(s, WORD)) return this.tryAcquire();
    s[OWNER] = currentIdent();
    s[DEPTH] = 1;
    return true;
  }

  release(): void {
    const s = this.state;
    // Only the holder ever writes its own id into OWNER, and a free lock's OWNER is 0.
    if (s[OWNER] !== currentIdent()) {
      throw new LockStateError(`cannot release un-acquired lock ${this.name}`);
    }
    const depth = (s[DEPTH] ?? 1) - 1;
    s[DEPTH] = depth;
    if (depth > 0) return;
    s[OWNER] = 0;
    unlockWord(s, WORD);
  }

  /** Releases every level (Condition.wait); returns the depth to restore. */
  releaseAll(): number {
    const s = this.state;
    if (Atomics.load(s, WORD) === 0 || s[OWNER] !== currentIdent()) {
      throw new LockStateError(`cannot release un-acquired lock ${this.name}`);
    }
    const depth = s[DEPTH] ?? 1;
    s[DEPTH] = 0;
    s[OWNER] = 0;
    unlockWord(s, WORD);
    return depth;
  }

  /** After acquiring again, restores the depth saved by releaseAll(). */
  restoreDepth(depth: number): void {
    this.state[DEPTH] = depth;
  }
}

/** Any lock a Condition can use. */
export type AnyLock = Lock | RLock;

registerReviver(
  "Lock",
  (c) => new Lock(undefined, c["state"] as Int32Array, c["id"] as number, c["name"] as string),
);
registerReviver(
  "RLock",
  (c) => new RLock(undefined, c["state"] as Int32Array, c["id"] as number, c["name"] as string),
);

/** Runs `fn` holding `lock`: `await withLock(lock, async () => ...)`. */
export function withLock<T>(lock: AnyLock, fn: () => T | Promise<T>): Promise<T> {
  return lock.run(fn);
}
