// The classic lock-order deadlock: each thread runs doA (lockA, then lockB) and then doB
// (lockB, then lockA). Two threads that interleave end up each holding one lock and waiting
// for the other. `threadlens run examples/lockab.ts` stops it and reports the cycle, both
// threads, the four acquisition lines and the fixes.
import { Lock, Thread, threadArgs } from "threadlens";
import { isMainThread } from "node:worker_threads";

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function doA(lockA: Lock, lockB: Lock): void {
  lockA.acquireSync();
  sleep(10);
  lockB.acquireSync();
  lockB.release();
  lockA.release();
}

function doB(lockA: Lock, lockB: Lock): void {
  lockB.acquireSync();
  sleep(10);
  lockA.acquireSync();
  lockA.release();
  lockB.release();
}

if (isMainThread) {
  const lockA = new Lock();
  const lockB = new Lock();
  const threads = Array.from(
    { length: 5 },
    (_, i) =>
      new Thread(new URL(import.meta.url), { name: `worker-${i + 1}`, args: [lockA, lockB] }),
  );
  for (const t of threads) t.start();
  for (const t of threads) await t.join();
  console.log("all threads done");
} else {
  const [lockA, lockB] = threadArgs<[Lock, Lock]>();
  doA(lockA, lockB);
  doB(lockA, lockB);
}
