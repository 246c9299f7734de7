// The classic lock-order deadlock: one thread runs doA (lockA, then lockB), the other doB
// (lockB, then lockA). A Barrier lets neither take its second lock before both hold their
// first, so they deadlock on every run, however the threads are scheduled (sleeps would only
// make it likely). `threadlens run examples/lockab.ts` stops it and reports the cycle, both
// threads, the four acquisition lines and the fixes.
import { Barrier, Lock, Thread, threadArgs } from "threadlens";
import { isMainThread } from "node:worker_threads";

function doA(lockA: Lock, lockB: Lock, bothHoldOne: Barrier): void {
  lockA.acquireSync();
  bothHoldOne.waitSync();
  lockB.acquireSync();
  lockB.release();
  lockA.release();
}

function doB(lockA: Lock, lockB: Lock, bothHoldOne: Barrier): void {
  lockB.acquireSync();
  bothHoldOne.waitSync();
  lockA.acquireSync();
  lockA.release();
  lockB.release();
}

if (isMainThread) {
  const lockA = new Lock();
  const lockB = new Lock();
  const bothHoldOne = new Barrier(2);
  const threads = ["doA", "doB"].map(
    (job, i) =>
      new Thread(new URL(import.meta.url), {
        name: `worker-${i + 1}`,
        args: [job, lockA, lockB, bothHoldOne],
      }),
  );
  for (const t of threads) t.start();
  for (const t of threads) await t.join();
  console.log("all threads done");
} else {
  const [job, lockA, lockB, bothHoldOne] = threadArgs<[string, Lock, Lock, Barrier]>();
  if (job === "doA") doA(lockA, lockB, bothHoldOne);
  else doB(lockA, lockB, bothHoldOne);
}
