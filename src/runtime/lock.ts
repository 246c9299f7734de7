// Lock (Python's threading.Lock): mutual exclusion across worker threads and async tasks, not
// re-entrant; any logical thread may release it while it is held.
import { LockStateError } from "./errors.ts";
import { LockBase, OWNER, WORD, type LockOptions } from "./lockBase.ts";
import { currentIdent } from "./logicalThread.ts";
import { tryLockWord, tryLockWordContended, unlockWord } from "./mutexWord.ts";
import { registerReviver } from "./primitive.ts";
import { RLock } from "./rlock.ts";

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

  protected takeNow(me: number, contended: boolean): boolean {
    const s = this.state;
    if (!(contended ? tryLockWordContended(s, WORD) : tryLockWord(s, WORD))) return false;
    this.markTaken(me);
    return true;
  }

  protected markTaken(me: number): void {
    this.state[OWNER] = me;
    this.noteAcquired(me);
  }

  release(): void {
    const s = this.state;
    if (this.recorded) {
      const me = currentIdent();
      // The isolated hold (most releases) records nothing, so it needs no look at the word
      // first: the exchange below tells a bad release, and the hold is put back before that is
      // recorded, so the recording is the same as on the checked path.
      if (!this.noteReleaseOptimistic(me)) return this.#releaseRecorded(me);
      s[OWNER] = 0;
      if (!unlockWord(s, WORD)) this.#badOptimisticRelease(me);
      return;
    }
    s[OWNER] = 0;
    if (!unlockWord(s, WORD)) this.#unlocked();
  }

  // The recorded releases other than the isolated hold's, and the error paths, are methods of
  // their own: release() is inlined into its callers by size, and these are rarely run.
  #releaseRecorded(me: number): void {
    const s = this.state;
    // Recorded before the word is freed, so no other thread's "acquired" can precede it.
    // A plain read: Atomics.load is a builtin call on Node 20 (a quarter of the recorded
    // uncontended pair), and no ordering is needed here: a holder sees its own take in
    // program order, and a word freed concurrently by another thread is a racing release
    // whichever value this reads (unlockWord below still decides what is thrown).
    if (s[WORD] !== 0) this.noteRelease(me);
    else this.noteBadRelease(me);
    s[OWNER] = 0;
    if (!unlockWord(s, WORD)) this.#unlocked();
  }

  #badOptimisticRelease(me: number): never {
    this.unnoteRelease();
    this.noteBadRelease(me);
    this.#unlocked();
  }

  #unlocked(): never {
    throw new LockStateError(`release of unlocked lock ${this.name}`);
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
