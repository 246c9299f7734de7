// Lock (Python's threading.Lock): mutual exclusion across worker threads and async tasks, not
// re-entrant; any logical thread may release it while it is held.
import { LockStateError } from "./errors.ts";
import { LockBase, OWNER, RESOLVED_TRUE, WORD, type LockOptions } from "./lockBase.ts";
import { currentIdent } from "./logicalThread.ts";
import { tryLockWord, tryLockWordContended, unlockWord } from "./mutexWord.ts";
import { parkWhilePausedAsync, parkWhilePausedSync, pauseWord } from "./pause.ts";
import { registerReviver } from "./primitive.ts";
import { RLock } from "./rlock.ts";
import { deadlineOf, type TimeoutOptions } from "./validate.ts";

export { RLock };
export type { LockGuard, LockOptions } from "./lockBase.ts";

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
    // The debugger's pause: one plain load on the fast path (pause.ts).
    if (pauseWord[0] !== 0 && this.recorded) {
      return parkWhilePausedAsync().then(() => this.acquire(options));
    }
    let deadline = Infinity;
    if (options !== undefined) {
      try {
        deadline = deadlineOf(`${this.name}.acquire`, options);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const s = this.state;
    if (tryLockWord(s, WORD)) {
      const me = currentIdent();
      s[OWNER] = me;
      this.noteAcquired(me);
      return RESOLVED_TRUE;
    }
    return this.#acquireSlow(deadline);
  }

  async #acquireSlow(deadline: number): Promise<boolean> {
    const s = this.state;
    const me = currentIdent();
    const ok = await this.takeWordAsync(me, deadline);
    if (ok) {
      s[OWNER] = me;
      this.noteAcquired(me);
    }
    return ok;
  }

  /** Blocks the calling thread until held (true) or `timeout` ms pass (false). */
  acquireSync(options?: TimeoutOptions): boolean {
    if (pauseWord[0] !== 0 && this.recorded) parkWhilePausedSync();
    const s = this.state;
    if (options === undefined && tryLockWord(s, WORD)) {
      const me = currentIdent();
      s[OWNER] = me;
      this.noteAcquired(me);
      return true;
    }
    const deadline = deadlineOf(`${this.name}.acquireSync`, options);
    const me = currentIdent();
    if (tryLockWord(s, WORD)) {
      s[OWNER] = me;
      this.noteAcquired(me);
      return true;
    }
    const ok = this.takeWordSync(me, deadline);
    if (ok) {
      s[OWNER] = me;
      this.noteAcquired(me);
    }
    return ok;
  }

  /** Takes the lock if it is free, without waiting. */
  tryAcquire(): boolean {
    if (!tryLockWord(this.state, WORD)) return false;
    const me = currentIdent();
    this.state[OWNER] = me;
    this.noteAcquired(me);
    return true;
  }

  tryAcquireContended(): boolean {
    if (!tryLockWordContended(this.state, WORD)) return false;
    const me = currentIdent();
    this.state[OWNER] = me;
    this.noteAcquired(me);
    return true;
  }

  release(): void {
    const s = this.state;
    if (this.recorded) {
      // Recorded before the word is freed, so no other thread's "acquired" can precede it.
      if (Atomics.load(s, WORD) !== 0) this.noteRelease(currentIdent());
      else this.noteBadRelease(currentIdent());
    }
    s[OWNER] = 0;
    if (!unlockWord(s, WORD)) throw new LockStateError(`release of unlocked lock ${this.name}`);
  }
}

/** Any lock a Condition can use. */
export type AnyLock = Lock | RLock;

registerReviver(
  "Lock",
  (c) => new Lock(undefined, c["state"] as Int32Array, c["id"] as number, c["name"] as string),
);

/** Runs `fn` holding `lock`: `await withLock(lock, async () => ...)`. */
export function withLock<T>(lock: AnyLock, fn: () => T | Promise<T>): Promise<T> {
  return lock.run(fn);
}
