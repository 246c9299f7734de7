// RWLock (DESIGN 3): readers share it, a writer excludes everyone; writer-preferring, so a
// waiting writer stops new readers (a steady stream of readers cannot starve it). Its state is
// one shared int32 word, so every transition is one compare-and-swap and a waiter parks on
// that word: bits 0-15 count the readers holding it, bit 16 says a writer holds it, bits
// 17-30 count the writers waiting. Recorded like a Lock (pendingHolds.ts), read holds with the
// shared mark; the analysis learns what that means from the RWLock row of protocol/kinds.ts.
import { LockStateError } from "./errors.ts";
import { guardFor, type LockGuard, type LockOptions } from "./lockBase.ts";
import { currentIdent } from "./logicalThread.ts";
import { parkAsync, parkSync } from "./parking.ts";
import { parkWhilePausedAsync, parkWhilePausedSync, pauseWord } from "./pause.ts";
import {
  holdAcquired,
  holdReleased,
  holdsAny,
  requestEnded,
  requestRecorded,
} from "./pendingHolds.ts";
import { KIND_FIELD, newIdentity, registerReviver, remember } from "./primitive.ts";
import { rawNotify } from "./rawAtomics.ts";
import { captureRawStack, recordingOn } from "./recording.ts";
import { mayRecordBranch, recordIdent, recordingAs } from "./recordIdent.ts";
import { traceAcquireRequest, traceAcquireTimeout, traceCreate, traceMisuse } from "./trace.ts";
import { deadlineOf, nameOptions, remaining, type TimeoutOptions } from "./validate.ts";

const WORD = 0;
const OWNER = 1;
const WORDS = 2;

const READERS = 0xffff;
const WRITER = 1 << 16;
const WAITING_WRITER = 1 << 17;
/** The first acquisitions of each mode capture their site; later ones when nested. */
const FIRST_SITES = 4;

type Mode = "read" | "write";

function canRead(word: number): boolean {
  return (word & WRITER) === 0 && word >>> 17 === 0 && (word & READERS) < READERS;
}

function canWrite(word: number): boolean {
  return (word & (WRITER | READERS)) === 0;
}

export class RWLock {
  declare readonly [KIND_FIELD]: string;
  readonly id: number;
  readonly name: string;
  /** Shared words: the packed state, the writer's logical thread id. */
  readonly state: Int32Array;
  readonly #recorded: boolean;
  /** Read holds per logical thread of this OS thread (a logical thread lives on one). */
  readonly #readHolds = new Map<number, number>();
  #takes = 0;
  // What pendingHolds tracks: one hold object per mode (it compares them by identity).
  readonly #readHold = {
    id: 0,
    shared: true,
    isHeldBy: (ident: number) => this.#reads(ident) > 0 || (this.#readRecs.get(ident) ?? 0) > 0,
  };
  readonly #writeHold = {
    id: 0,
    isHeldBy: (ident: number) =>
      this.#writing(ident) || (this.#writeRec === ident && this.writeLocked),
  };
  // The logical threads the holds are recorded as when that is a Promise.all branch
  // (recordIdent.ts): read holds per branch, and the writer's branch (0: none).
  readonly #readRecs = new Map<number, number>();
  #writeRec = 0;

  constructor(nameOrOptions?: string | LockOptions);
  /** @internal revival of a posted copy */
  constructor(nameOrOptions: undefined, state: Int32Array, id: number, name: string);
  constructor(
    nameOrOptions?: string | LockOptions,
    state?: Int32Array,
    id?: number,
    name?: string,
  ) {
    if (state !== undefined && id !== undefined && name !== undefined) {
      this.id = id;
      this.name = name;
      this.state = state;
    } else {
      const options = nameOptions<LockOptions>("new RWLock()", nameOrOptions);
      const identity = newIdentity("RWLock", options.name);
      this.id = identity.id;
      this.name = identity.name;
      this.state = new Int32Array(new SharedArrayBuffer(WORDS * 4));
      traceCreate(this.id, "RWLock", this.name);
    }
    this.#readHold.id = this.id;
    this.#writeHold.id = this.id;
    this.#recorded = recordingOn;
    remember(this, "RWLock");
  }

  /** Readers holding it now. */
  get readers(): number {
    return Atomics.load(this.state, WORD) & READERS;
  }

  /** Writers waiting for it now (while any waits, new readers wait too). */
  get waitingWriters(): number {
    return Atomics.load(this.state, WORD) >>> 17;
  }

  /** True while a writer holds it. */
  get writeLocked(): boolean {
    return (Atomics.load(this.state, WORD) & WRITER) !== 0;
  }

  /** Resolves true once held for reading, false if `timeout` ms pass first. */
  acquireRead(options?: TimeoutOptions): Promise<boolean> {
    return this.#acquireAsync("read", options);
  }

  /** Resolves true once held for writing, false if `timeout` ms pass first. */
  acquireWrite(options?: TimeoutOptions): Promise<boolean> {
    return this.#acquireAsync("write", options);
  }

  /** Blocks the calling thread until held for reading (true) or `timeout` ms pass (false). */
  acquireReadSync(options?: TimeoutOptions): boolean {
    return this.#acquireSync("read", options);
  }

  /** Blocks the calling thread until held for writing (true) or `timeout` ms pass (false). */
  acquireWriteSync(options?: TimeoutOptions): boolean {
    return this.#acquireSync("write", options);
  }

  /** Gives back this logical thread's read hold; an error if it holds none. */
  releaseRead(): void {
    const me = currentIdent();
    const reads = this.#reads(me);
    if (reads === 0) this.#badRelease(me, "reading");
    if (this.#recorded) holdReleased(this.#readHold, this.#readReleaser(me));
    if (reads === 1) this.#readHolds.delete(me);
    else this.#readHolds.set(me, reads - 1);
    const before = Atomics.sub(this.state, WORD, 1);
    // The last reader out lets a waiting writer in.
    if ((before & READERS) === 1) rawNotify(this.state, WORD);
  }

  /** Gives back this logical thread's write hold; an error if it does not hold it. */
  releaseWrite(): void {
    const me = currentIdent();
    if (!this.#writing(me)) this.#badRelease(me, "writing");
    if (this.#recorded) holdReleased(this.#writeHold, this.#writeRec || me);
    this.#writeRec = 0;
    this.state[OWNER] = 0;
    Atomics.sub(this.state, WORD, WRITER);
    rawNotify(this.state, WORD);
  }

  /** Waits for a read hold and returns a guard: `using _ = await rw.readLock()`. */
  async readLock(options?: TimeoutOptions): Promise<LockGuard> {
    if (!(await this.acquireRead(options))) this.#timedOut("readLock", options);
    return guardFor({ release: () => this.releaseRead() });
  }

  /** Waits for the write hold and returns a guard: `using _ = await rw.writeLock()`. */
  async writeLock(options?: TimeoutOptions): Promise<LockGuard> {
    if (!(await this.acquireWrite(options))) this.#timedOut("writeLock", options);
    return guardFor({ release: () => this.releaseWrite() });
  }

  toString(): string {
    return `RWLock(${this.name})`;
  }

  #reads(ident: number): number {
    return this.#readHolds.get(ident) ?? 0;
  }

  #writing(ident: number): boolean {
    return (Atomics.load(this.state, WORD) & WRITER) !== 0 && this.state[OWNER] === ident;
  }

  /** Takes it in `mode` if that needs no wait (a waiting writer counts as not waiting here). */
  #takeNow(mode: Mode, me: number, waitingWriter: boolean): boolean {
    for (;;) {
      const word = Atomics.load(this.state, WORD);
      let next: number;
      if (mode === "read") {
        if (!canRead(word)) return false;
        next = word + 1;
      } else {
        if (!canWrite(word)) return false;
        next = (word | WRITER) - (waitingWriter ? WAITING_WRITER : 0);
      }
      if (Atomics.compareExchange(this.state, WORD, word, next) !== word) continue;
      this.#taken(mode, me);
      return true;
    }
  }

  #taken(mode: Mode, me: number): void {
    if (mode === "read") this.#readHolds.set(me, this.#reads(me) + 1);
    else this.state[OWNER] = me;
    if (!this.#recorded) return;
    const rec = mayRecordBranch() ? recordIdent() : me;
    if (rec !== me) {
      if (mode === "read") this.#readRecs.set(rec, (this.#readRecs.get(rec) ?? 0) + 1);
      else this.#writeRec = rec;
    }
    const n = this.#takes++;
    // A raw stack, a site only if the hold is recorded (see LockBase.noteAcquired).
    const stack = n < FIRST_SITES || rec !== me || holdsAny(rec) ? captureRawStack() : undefined;
    holdAcquired(mode === "read" ? this.#readHold : this.#writeHold, rec, 0, stack);
  }

  /** The logical thread a read release by `me` is recorded as (its branch, if it has one). */
  #readReleaser(me: number): number {
    if (this.#readRecs.size === 0) return me;
    const rec = recordIdent();
    const count = this.#readRecs.get(rec) ?? 0;
    if (count === 0) return me;
    if (count === 1) this.#readRecs.delete(rec);
    else this.#readRecs.set(rec, count - 1);
    return rec;
  }

  #deadline(api: string, options: TimeoutOptions | undefined): number {
    return options === undefined ? Infinity : deadlineOf(`${this.name}.${api}`, options);
  }

  #acquireSync(mode: Mode, options: TimeoutOptions | undefined): boolean {
    if (pauseWord[0] !== 0 && this.#recorded) parkWhilePausedSync();
    const deadline = this.#deadline(
      mode === "read" ? "acquireReadSync" : "acquireWriteSync",
      options,
    );
    const me = currentIdent();
    if (this.#takeNow(mode, me, false)) return true;
    this.#beginWait(mode, deadline);
    for (;;) {
      if (this.#takeNow(mode, me, mode === "write")) return true;
      const word = Atomics.load(this.state, WORD);
      if (this.#canTake(mode, word)) continue;
      if (parkSync(this.state, WORD, word, deadline) === "timed-out" && remaining(deadline) === 0) {
        return this.#giveUp(mode);
      }
    }
  }

  async #acquireAsync(mode: Mode, options: TimeoutOptions | undefined): Promise<boolean> {
    if (pauseWord[0] !== 0 && this.#recorded) await parkWhilePausedAsync();
    const deadline = this.#deadline(mode === "read" ? "acquireRead" : "acquireWrite", options);
    const me = currentIdent();
    if (!this.#recorded) return this.#acquireAsyncAs(mode, me, deadline);
    // Recorded as one logical thread, decided after one hop (recordIdent.ts).
    await undefined;
    const rec = recordIdent();
    return this.#acquireAsyncAs(mode, me, deadline, rec === me ? 0 : rec);
  }

  async #acquireAsyncAs(mode: Mode, me: number, deadline: number, rec = 0): Promise<boolean> {
    const as = <T>(fn: () => T): T => (rec === 0 ? fn() : recordingAs(rec, fn));
    if (as(() => this.#takeNow(mode, me, false))) return true;
    as(() => this.#beginWait(mode, deadline));
    for (;;) {
      if (as(() => this.#takeNow(mode, me, mode === "write"))) return true;
      const word = Atomics.load(this.state, WORD);
      if (this.#canTake(mode, word)) continue;
      const parked = await parkAsync(this.state, WORD, word, deadline);
      if (parked === "timed-out" && remaining(deadline) === 0) return as(() => this.#giveUp(mode));
    }
  }

  /** Whether `word` lets a waiter of `mode` in (a waiting writer is one of the waiting ones). */
  #canTake(mode: Mode, word: number): boolean {
    return mode === "read" ? canRead(word) : canWrite(word);
  }

  #beginWait(mode: Mode, deadline: number): void {
    if (mode === "write") Atomics.add(this.state, WORD, WAITING_WRITER);
    if (!this.#recorded) return;
    traceAcquireRequest(this.id, deadline !== Infinity, mode === "read");
    // The acquisition that ends it is recorded (pendingHolds.ts).
    requestRecorded(recordIdent(), this.id);
  }

  #giveUp(mode: Mode): false {
    if (mode === "write") {
      Atomics.sub(this.state, WORD, WAITING_WRITER);
      // Readers held back by this writer may go on.
      rawNotify(this.state, WORD);
    }
    if (this.#recorded) {
      requestEnded(recordIdent(), this.id);
      traceAcquireTimeout(this.id, mode === "read");
    }
    return false;
  }

  #badRelease(me: number, mode: string): never {
    if (this.#recorded) traceMisuse("bad-release", this.id);
    throw new LockStateError(
      `release of ${this.name} for ${mode} by a thread that does not hold it (thread ${me})`,
    );
  }

  #timedOut(api: string, options: TimeoutOptions | undefined): never {
    throw new LockStateError(`${this.name}: ${api}() timed out after ${options?.timeout} ms`);
  }
}

registerReviver(
  "RWLock",
  (c) => new RWLock(undefined, c["state"] as Int32Array, c["id"] as number, c["name"] as string),
);
