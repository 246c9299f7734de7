// Shared helpers of the contract tests: real worker threads running workers/*.ts.
import { Thread } from "threadlens";

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
