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
// counter, yield (`await null`, so the others queue up on the lock), write counter + 1. Also
// counts how often the lock changed hands between tasks: a lock that lets the releasing task
// take it again at once scores few hand-offs and many ops per second; a FIFO lock hands over
// on every release. ----

interface Box {
  value: number;
  last: number;
  handoffs: number;
}

/** Owner changes between tasks in the last round of each implementation, keyed by name. */
export const handoffs = new Map<string, number>();

async function contend(
  name: string,
  tasks: number,
  n: number,
  task: (box: Box, id: number) => Promise<void>,
): Promise<number> {
  const box: Box = { value: 0, last: -1, handoffs: 0 };
  const start = performance.now();
  await Promise.all(Array.from({ length: tasks }, (_, id) => task(box, id)));
  const elapsed = performance.now() - start;
  if (box.value !== tasks * n) {
    throw new CounterMismatch(
      `${name}, ${tasks} tasks in one thread: counter is ${box.value}, expected ${tasks * n}`,
    );
  }
  handoffs.set(name, box.handoffs - 1);
  return nsPerOp(elapsed, tasks * n);
}

export function tasksThreadlens(lock: Lock, tasks: number, n: number): Promise<number> {
  return contend("threadlens", tasks, n, async (box, id) => {
    for (let i = 0; i < n; i++) {
      await lock.acquire();
      if (box.last !== id) {
        box.handoffs++;
        box.last = id;
      }
      const v = box.value;
      await null;
      box.value = v + 1;
      lock.release();
    }
  });
}

export function tasksAsyncMutex(mutex: Mutex, tasks: number, n: number): Promise<number> {
  return contend("async-mutex", tasks, n, async (box, id) => {
    for (let i = 0; i < n; i++) {
      const release = await mutex.acquire();
      if (box.last !== id) {
        box.handoffs++;
        box.last = id;
      }
      const v = box.value;
      await null;
      box.value = v + 1;
      release();
    }
  });
}

export function tasksRaw(mutex: RawAtomicsMutex, tasks: number, n: number): Promise<number> {
  return contend("raw", tasks, n, async (box, id) => {
    for (let i = 0; i < n; i++) {
      await mutex.lock();
      if (box.last !== id) {
        box.handoffs++;
        box.last = id;
      }
      const v = box.value;
      await null;
      box.value = v + 1;
      mutex.unlock();
    }
  });
}
