// The single-thread async loops of bench/lock.bench.ts, one function per implementation so each
// call site stays monomorphic. Each returns ns per acquire/release pair.
import type { Mutex } from "async-mutex";
import type { Lock } from "threadlens";
import { nsPerOp } from "./harness.ts";
import type { RawAtomicsMutex } from "./rawAtomicsMutex.ts";
import { CounterMismatch } from "./workerGang.ts";

// ---- uncontended: one task, `await acquire()` then release, n times ----

export async function uncontendedThreadlens(lock: Lock, n: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    await lock.acquire();
    lock.release();
  }
  return nsPerOp(performance.now() - start, n);
}

export async function uncontendedAsyncMutex(mutex: Mutex, n: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const release = await mutex.acquire();
    release();
  }
  return nsPerOp(performance.now() - start, n);
}

export async function uncontendedRaw(mutex: RawAtomicsMutex, n: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    await mutex.lock();
    mutex.unlock();
  }
  return nsPerOp(performance.now() - start, n);
}

// ---- contended within one thread: `tasks` async tasks, each n times: take the lock, read the
// counter, yield (`await null`, so the others queue up on the lock), write counter + 1 ----

interface Box {
  value: number;
}

async function contend(
  name: string,
  tasks: number,
  n: number,
  task: (box: Box) => Promise<void>,
): Promise<number> {
  const box: Box = { value: 0 };
  const start = performance.now();
  await Promise.all(Array.from({ length: tasks }, () => task(box)));
  const elapsed = performance.now() - start;
  if (box.value !== tasks * n) {
    throw new CounterMismatch(`${name}: counter is ${box.value}, expected ${tasks * n}`);
  }
  return nsPerOp(elapsed, tasks * n);
}

export function tasksThreadlens(lock: Lock, tasks: number, n: number): Promise<number> {
  return contend("threadlens tasks", tasks, n, async (box) => {
    for (let i = 0; i < n; i++) {
      await lock.acquire();
      const v = box.value;
      await null;
      box.value = v + 1;
      lock.release();
    }
  });
}

export function tasksAsyncMutex(mutex: Mutex, tasks: number, n: number): Promise<number> {
  return contend("async-mutex tasks", tasks, n, async (box) => {
    for (let i = 0; i < n; i++) {
      const release = await mutex.acquire();
      const v = box.value;
      await null;
      box.value = v + 1;
      release();
    }
  });
}

export function tasksRaw(mutex: RawAtomicsMutex, tasks: number, n: number): Promise<number> {
  return contend("raw tasks", tasks, n, async (box) => {
    for (let i = 0; i < n; i++) {
      await mutex.lock();
      const v = box.value;
      await null;
      box.value = v + 1;
      mutex.unlock();
    }
  });
}
