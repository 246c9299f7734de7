// Messages between bench/lock.bench.ts (via bench/workerGang.ts) and bench/lockWorker.ts.
import type { Lock } from "threadlens";

/** Which lock a worker round uses, and whether it waits with acquireSync or `await`. */
export type WorkerImpl = "threadlens-sync" | "raw-sync" | "threadlens-async" | "raw-async";

/** Index in `ctrl` of the start generation: workers wait on it so a round starts together. */
export const GO = 0;

export interface SetupMessage {
  readonly type: "setup";
  readonly lock: Lock;
  readonly rawWord: Int32Array;
  /** counter[0] is incremented (non-atomically) under the lock. */
  readonly counter: Int32Array;
  readonly ctrl: Int32Array;
}

export interface RunMessage {
  readonly type: "run";
  readonly impl: WorkerImpl;
  readonly iterations: number;
}

export type ToWorker = SetupMessage | RunMessage;

export type FromWorker = { readonly type: "ready" } | { readonly type: "done" };
