// An RWLock of another process (DESIGN 3.3), as a process it reached sees it: the owner's
// server takes and gives back the holds (server.ts), this process records them as its
// threads' own on its object for the owner's, read holds with the shared mark, like the
// owner's RWLock records its own (rwlock.ts). Writer preference and the count of readers are
// the owner's: one lock for every process.
import { LockStateError } from "../errors.ts";
import { guardFor, type LockGuard } from "../lockBase.ts";
import { currentIdent } from "../logicalThread.ts";
import { holdAcquiredNow, holdReleasedNow } from "../pendingHolds.ts";
import { captureSite, emitPrecise, recordingOn } from "../recording.ts";
import type { TimeoutOptions } from "../validate.ts";
import { RemotePrimitive, async_, countRemoteHolds, options, sync_, type Call } from "./remote.ts";
import { promiseOf } from "../promiseOf.ts";

type Mode = "read" | "write";

export class RemoteRWLock extends RemotePrimitive {
  /** This process's holds: logical thread → read holds; the writers. */
  readonly #reads = new Map<number, number>();
  readonly #writers = new Set<number>();
  // What pendingHolds tracks: one hold object per mode (it compares them by identity).
  readonly #readHold = {
    id: this.id,
    shared: true,
    isHeldBy: (ident: number) => (this.#reads.get(ident) ?? 0) > 0,
  };
  readonly #writeHold = { id: this.id, isHeldBy: (ident: number) => this.#writers.has(ident) };

  /** Readers holding it now (in every process). */
  get readers(): number {
    return this.callSync("readers", []) as number;
  }

  /** Writers waiting for it now. */
  get waitingWriters(): number {
    return this.callSync("waitingWriters", []) as number;
  }

  /** True while a writer (of any process) holds it. */
  get writeLocked(): boolean {
    return this.callSync("writeLocked", []) === true;
  }

  /** Resolves true once held for reading, false if `timeout` ms pass first. */
  acquireRead(o?: TimeoutOptions): Promise<boolean> {
    return this.#async("read", o);
  }

  /** Resolves true once held for writing, false if `timeout` ms pass first. */
  acquireWrite(o?: TimeoutOptions): Promise<boolean> {
    return this.#async("write", o);
  }

  /** Blocks the calling thread until held for reading (true) or `timeout` ms pass (false). */
  acquireReadSync(o?: TimeoutOptions): boolean {
    return this.#acquire(sync_(this), "read", `${this.name}.acquireReadSync`, o) as boolean;
  }

  /** Blocks the calling thread until held for writing (true) or `timeout` ms pass (false). */
  acquireWriteSync(o?: TimeoutOptions): boolean {
    return this.#acquire(sync_(this), "write", `${this.name}.acquireWriteSync`, o) as boolean;
  }

  /** Gives back this logical thread's read hold; an error if it holds none. */
  releaseRead(): void {
    this.#release("read");
  }

  /** Gives back this logical thread's write hold; an error if it does not hold it. */
  releaseWrite(): void {
    this.#release("write");
  }

  /** Waits for a read hold and returns a guard: `using _ = await rw.readLock()`. */
  async readLock(o?: TimeoutOptions): Promise<LockGuard> {
    if (!(await this.acquireRead(o)))
      throw new LockStateError(`${this.name}: readLock() timed out after ${o?.timeout} ms`);
    return guardFor({ release: () => this.releaseRead() });
  }

  /** Waits for the write hold and returns a guard: `using _ = await rw.writeLock()`. */
  async writeLock(o?: TimeoutOptions): Promise<LockGuard> {
    if (!(await this.acquireWrite(o)))
      throw new LockStateError(`${this.name}: writeLock() timed out after ${o?.timeout} ms`);
    return guardFor({ release: () => this.releaseWrite() });
  }

  #async(mode: Mode, o: TimeoutOptions | undefined): Promise<boolean> {
    const api = `${this.name}.${mode === "read" ? "acquireRead" : "acquireWrite"}`;
    return promiseOf(() => this.#acquire(async_(this), mode, api, o));
  }

  #acquire(
    call: Call,
    mode: Mode,
    api: string,
    o: TimeoutOptions | undefined,
  ): boolean | Promise<boolean> {
    const args = options(api, o);
    const shared = mode === "read";
    return this.waiting(
      call,
      shared ? "acquireRead" : "acquireWrite",
      args,
      (me, site) =>
        emitPrecise("acquire-request", me, this.id, site, args.length > 0, undefined, shared),
      (me, site, value, waited) => this.#taken(mode, me, site, value === true, waited),
    );
  }

  #taken(mode: Mode, me: number, site: number, ok: boolean, waited: boolean): boolean {
    const shared = mode === "read";
    if (ok) {
      countRemoteHolds(1);
      if (shared) this.#reads.set(me, (this.#reads.get(me) ?? 0) + 1);
      else this.#writers.add(me);
      if (recordingOn) holdAcquiredNow(shared ? this.#readHold : this.#writeHold, me, site);
    } else if (waited && recordingOn) {
      emitPrecise("acquire-timeout", me, this.id, 0, false, undefined, shared);
    }
    return ok;
  }

  #release(mode: Mode): void {
    const me = currentIdent();
    const shared = mode === "read";
    const reads = this.#reads.get(me) ?? 0;
    const mine = shared ? reads > 0 : this.#writers.has(me);
    // Recorded before the owner frees it, so no other thread's "acquired" can precede it.
    if (mine && recordingOn) holdReleasedNow(shared ? this.#readHold : this.#writeHold, me);
    this.beforeSignal();
    try {
      this.callSync(shared ? "releaseRead" : "releaseWrite", []);
    } catch (error) {
      if (recordingOn) emitPrecise("bad-release", me, this.id, captureSite(), false);
      throw error;
    }
    if (!mine) return;
    countRemoteHolds(-1);
    if (!shared) this.#writers.delete(me);
    else if (reads > 1) this.#reads.set(me, reads - 1);
    else this.#reads.delete(me);
  }
}
