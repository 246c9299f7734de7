// A primitive flood (issue 12): worker threads each run `operations` acquire/release pairs on a
// Semaphore and a Lock shared by all of them ("use"), or create a new Semaphore and Lock for
// each pair ("create"). Memory must not grow with the operations when recording is off, and
// with it only by the rings and the analysis' state. `flood.ts <workers> <operations> [mode]`.
import { isMainThread } from "node:worker_threads";
import { Lock, Semaphore, Thread, threadArgs } from "threadlens";

type Mode = "use" | "create";

if (isMainThread) {
  const workers = Number(process.argv[2] ?? 8);
  const operations = Number(process.argv[3] ?? 1_000_000);
  const mode = (process.argv[4] ?? "use") as Mode;
  const semaphore = new Semaphore(4, "flooded");
  const lock = new Lock("floodLock");
  const threads = Array.from({ length: workers }, (_, i) =>
    new Thread(new URL(import.meta.url), {
      name: `flooder-${i}`,
      args: [semaphore, lock, operations, mode],
    }).start(),
  );
  for (const t of threads) await t.join();
  console.log(`flood done: ${workers} x ${operations} (${mode})`);
} else {
  const [shared, sharedLock, operations, mode] = threadArgs<[Semaphore, Lock, number, Mode]>();
  for (let i = 0; i < operations; i++) {
    const semaphore = mode === "create" ? new Semaphore(1) : shared;
    const lock = mode === "create" ? new Lock() : sharedLock;
    semaphore.acquireSync();
    semaphore.release();
    lock.acquireSync();
    lock.release();
  }
}
