// The baseline for the lock benchmarks: the smallest correct mutex over Atomics, Drepper's
// 3-state futex mutex ("Futexes Are Tricky", mutex #2) on one Int32Array word of a
// SharedArrayBuffer: 0 free, 1 held, 2 held and someone may be waiting. Uncontended lock and
// unlock each cost one atomic read-modify-write; unlock only notifies when the word says 2.
// No timeouts, no owner tracking, no instrumentation: what threadlens' Lock is measured against.

const FREE = 0;
const HELD = 1;
const CONTENDED = 2;

const RESOLVED: Promise<void> = Promise.resolve();

export class RawAtomicsMutex {
  /** The mutex word; post it to a worker and wrap it there with `new RawAtomicsMutex(word)`. */
  readonly word: Int32Array;

  constructor(word?: Int32Array) {
    this.word = word ?? new Int32Array(new SharedArrayBuffer(4));
  }

  /** Blocks the calling thread (Atomics.wait) until the mutex is held. */
  lockSync(): void {
    const w = this.word;
    let c = Atomics.compareExchange(w, 0, FREE, HELD);
    if (c === FREE) return;
    if (c !== CONTENDED) c = Atomics.exchange(w, 0, CONTENDED);
    while (c !== FREE) {
      Atomics.wait(w, 0, CONTENDED);
      c = Atomics.exchange(w, 0, CONTENDED);
    }
  }

  /**
   * Resolves once held, waiting with Atomics.waitAsync (the event loop keeps running). The
   * uncontended path allocates nothing: it returns one shared resolved promise.
   * A pending waitAsync does not keep Node's event loop alive; callers must (the bench's
   * workers keep their parentPort listener, the main thread its workers).
   */
  lock(): Promise<void> {
    if (Atomics.compareExchange(this.word, 0, FREE, HELD) === FREE) return RESOLVED;
    return this.#lockSlow();
  }

  async #lockSlow(): Promise<void> {
    const w = this.word;
    let c = Atomics.exchange(w, 0, CONTENDED);
    while (c !== FREE) {
      const r = Atomics.waitAsync(w, 0, CONTENDED);
      if (r.async) await r.value;
      c = Atomics.exchange(w, 0, CONTENDED);
    }
  }

  unlock(): void {
    if (Atomics.exchange(this.word, 0, FREE) === CONTENDED) Atomics.notify(this.word, 0, 1);
  }
}
