// RLock (Python's threading.RLock): its holder may take it again; ownership is per logical
// thread (a worker, or a task started with spawn()), so a spawned child task is not the owner.
import { LockStateError } from "./errors.ts";
import { DEPTH, LockBase, OWNER, WORD, type LockOptions } from "./lockBase.ts";
import { currentIdent } from "./logicalThread.ts";
import { tryLockWord, tryLockWordContended, unlockWord } from "./mutexWord.ts";
import { registerReviver } from "./primitive.ts";

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

  /** Re-entry by the holder, or a free take; false when another logical thread holds it. */
  protected takeNow(me: number, contended: boolean): boolean {
    const s = this.state;
    if (s[OWNER] === me && Atomics.load(s, WORD) !== 0) {
      s[DEPTH] = (s[DEPTH] ?? 0) + 1;
      this.noteAcquired(me, true);
      return true;
    }
    if (!(contended ? tryLockWordContended(s, WORD) : tryLockWord(s, WORD))) return false;
    this.markTaken(me);
    return true;
  }

  protected markTaken(me: number): void {
    this.state[OWNER] = me;
    this.state[DEPTH] = 1;
    this.noteAcquired(me);
  }

  release(): void {
    const s = this.state;
    const me = currentIdent();
    // Only the holder ever writes its own id into OWNER, and a free lock's OWNER is 0.
    if (s[OWNER] !== me) {
      this.noteBadRelease(me);
      throw new LockStateError(`cannot release un-acquired lock ${this.name}`);
    }
    const depth = (s[DEPTH] ?? 1) - 1;
    this.noteRelease(me, depth === 0);
    s[DEPTH] = depth;
    if (depth > 0) return;
    s[OWNER] = 0;
    unlockWord(s, WORD);
  }

  /** Releases every level (Condition.wait); returns the depth to restore. */
  releaseAll(): number {
    const s = this.state;
    const me = currentIdent();
    if (Atomics.load(s, WORD) === 0 || s[OWNER] !== me) {
      this.noteBadRelease(me);
      throw new LockStateError(`cannot release un-acquired lock ${this.name}`);
    }
    const depth = s[DEPTH] ?? 1;
    for (let i = 0; i < depth; i++) this.noteRelease(me, i === depth - 1);
    s[DEPTH] = 0;
    s[OWNER] = 0;
    unlockWord(s, WORD);
    return depth;
  }

  /** After acquiring again, restores the depth saved by releaseAll(). */
  restoreDepth(depth: number): void {
    this.state[DEPTH] = depth;
    const me = currentIdent();
    for (let i = 1; i < depth; i++) this.noteAcquired(me, true);
  }
}

registerReviver(
  "RLock",
  (c) => new RLock(undefined, c["state"] as Int32Array, c["id"] as number, c["name"] as string),
);
