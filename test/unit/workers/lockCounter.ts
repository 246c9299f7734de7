// Worker: increments a plain (non-atomic) shared counter `iterations` times under `lock`,
// sync (acquireSync) or async (await acquire), with the read and the write apart so that
// a lock that does not exclude loses updates.
import { threadArgs, type AnyLock } from "threadlens";

const [mode, lock, counter, iterations] =
  threadArgs<["sync" | "async", AnyLock, Int32Array, number]>();

for (let i = 0; i < iterations; i++) {
  if (mode === "sync") lock.acquireSync();
  else await lock.acquire();
  const value = counter[0] ?? 0;
  if (i % 64 === 0 && mode === "async") await Promise.resolve();
  counter[0] = value + 1;
  lock.release();
}
