// The main-thread side of the contended benchmarks: a fixed set of real worker threads
// (bench/lockWorker.ts) started once, so thread start-up is never timed. Each round: every
// worker gets "run", answers "ready" and parks on a shared start word; the round's clock starts
// when the main thread bumps that word and stops when the last worker says "done".
import { Worker } from "node:worker_threads";
import type { Lock } from "threadlens";
import { GO, type FromWorker, type ToWorker, type WorkerImpl } from "./workerProtocol.ts";

/** Thrown when the shared counter is not exactly workers × iterations after a round. */
export class CounterMismatch extends Error {
  override name = "CounterMismatch";
}

/** Per-worker message queue, so "ready"/"done" can be awaited in order. */
class Inbox {
  readonly #queued: FromWorker[] = [];
  readonly #waiting: { resolve: (m: FromWorker) => void; reject: (e: unknown) => void }[] = [];
  #failure: unknown = undefined;

  push(message: FromWorker): void {
    const waiter = this.#waiting.shift();
    if (waiter !== undefined) waiter.resolve(message);
    else this.#queued.push(message);
  }

  fail(error: unknown): void {
    this.#failure = error;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(error);
  }

  async next(type: FromWorker["type"]): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    const queued = this.#queued.shift();
    const message =
      queued ??
      (await new Promise<FromWorker>((resolve, reject) => {
        this.#waiting.push({ resolve, reject });
      }));
    if (message.type !== type) throw new Error(`worker sent ${message.type}, expected ${type}`);
  }
}

export class WorkerGang {
  readonly #workers: Worker[];
  readonly #inboxes: Inbox[];
  readonly #counter = new Int32Array(new SharedArrayBuffer(4));
  readonly #ctrl = new Int32Array(new SharedArrayBuffer(4));

  constructor(count: number, lock: Lock, rawWord: Int32Array) {
    this.#workers = [];
    this.#inboxes = [];
    for (let i = 0; i < count; i++) {
      const worker = new Worker(new URL("./lockWorker.ts", import.meta.url));
      const inbox = new Inbox();
      worker.on("message", (m: FromWorker) => inbox.push(m));
      worker.on("error", (e: unknown) => inbox.fail(e));
      worker.on("exit", (code: number) => inbox.fail(new Error(`worker exited with ${code}`)));
      const setup: ToWorker = {
        type: "setup",
        lock,
        rawWord,
        counter: this.#counter,
        ctrl: this.#ctrl,
      };
      worker.postMessage(setup);
      this.#workers.push(worker);
      this.#inboxes.push(inbox);
    }
  }

  get size(): number {
    return this.#workers.length;
  }

  /** One round of `iterations` locked increments per worker; returns ns per increment. */
  async round(impl: WorkerImpl, iterations: number): Promise<number> {
    this.#counter[0] = 0;
    const run: ToWorker = { type: "run", impl, iterations };
    for (const worker of this.#workers) worker.postMessage(run);
    await Promise.all(this.#inboxes.map((inbox) => inbox.next("ready")));
    const start = performance.now();
    Atomics.add(this.#ctrl, GO, 1);
    Atomics.notify(this.#ctrl, GO);
    await Promise.all(this.#inboxes.map((inbox) => inbox.next("done")));
    const elapsed = performance.now() - start;
    const expected = this.#workers.length * iterations;
    const actual = Atomics.load(this.#counter, 0);
    if (actual !== expected) {
      throw new CounterMismatch(`${impl}: counter is ${actual}, expected ${expected}`);
    }
    return (elapsed * 1e6) / expected;
  }

  async close(): Promise<void> {
    for (const worker of this.#workers) worker.removeAllListeners("exit");
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }
}
