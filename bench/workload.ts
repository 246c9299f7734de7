// End-to-end workload for bench/recording.bench.mjs: 4 worker threads, each moving money
// between accounts under two locks taken in one order (acquireSync), plus an async phase in
// the main thread. Prints its wall time in ms as the last line.
import { Lock, Thread, acquireAllSync, threadArgs } from "threadlens";
import { isMainThread } from "node:worker_threads";

const ACCOUNTS = 8;
const TRANSFERS = Number(process.env["WORKLOAD_TRANSFERS"] ?? 200_000);

if (isMainThread) {
  const started = performance.now();
  const balances = new Int32Array(new SharedArrayBuffer(ACCOUNTS * 4)).fill(1000);
  const locks = Array.from({ length: ACCOUNTS }, (_, i) => new Lock(`account${i}`));
  const workers = [0, 1, 2, 3].map((i) =>
    new Thread(new URL(import.meta.url), {
      name: `teller-${i}`,
      args: [i, balances, locks],
    }).start(),
  );
  for (const w of workers) await w.join();
  const total = balances.reduce((a, b) => a + b, 0);
  if (total !== ACCOUNTS * 1000) throw new Error(`lost money: ${total}`);
  console.log((performance.now() - started).toFixed(1));
} else {
  const [seed, balances, locks] = threadArgs<[number, Int32Array, Lock[]]>();
  let x = seed + 1;
  for (let i = 0; i < TRANSFERS; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const from = x % ACCOUNTS;
    const to = (from + 1 + ((x >> 8) % (ACCOUNTS - 1))) % ACCOUNTS;
    using _both = acquireAllSync([locks[from] as Lock, locks[to] as Lock]);
    balances[from] = (balances[from] ?? 0) - 1;
    balances[to] = (balances[to] ?? 0) + 1;
  }
}
