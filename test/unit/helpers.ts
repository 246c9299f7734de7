// Shared helpers of the contract tests: real worker threads running workers/*.ts.
import { Thread, type Condition } from "threadlens";

export function workerUrl(name: string): URL {
  return new URL(`./workers/${name}.ts`, import.meta.url);
}

/** Starts a Thread running workers/run.ts step `step` with `args`. */
export function startStep(step: string, ...args: unknown[]): Thread {
  return new Thread(workerUrl("run"), { name: `${step}-worker`, args: [step, ...args] }).start();
}

export async function joinAll(threads: Thread[]): Promise<void> {
  for (const t of threads) {
    await t.join();
    if (t.exitCode !== 0) throw new Error(`${t.name} exited with ${t.exitCode}`);
  }
}

export function sharedInts(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(n * 4));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export const MODES = ["sync", "async"] as const;

/**
 * Resolves once `condition()` holds, looking again every millisecond: a test waits on state,
 * never on a guessed duration. Rejects after `limitMs` (a generous bound for a loaded machine).
 */
export async function until(condition: () => boolean, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not reached in ${limitMs} ms`);
    await sleep(1);
  }
}

/**
 * How many waits on `cond` have begun (its tickets issued: condition.ts keeps the count in its
 * state word 0). A thread is in its wait once its ticket is out: Semaphore, Event and Queue wait
 * on such a condition inside (`sem.cond`, `event.cond`, `queue.notFull`, ...).
 */
export function waitsBegun(cond: Condition): number {
  return Atomics.load(cond.state, 0);
}
