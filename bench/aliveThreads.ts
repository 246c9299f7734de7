// For bench/threads.bench.ts: the memory that recording adds per thread, measured when every
// thread is alive. A peak RSS depends on how many threads happen to overlap (a thread that
// ends early frees its ~20 MB before the last ones start), which moves with the machine's
// load; here every worker takes its nested locks `iterations` times (as
// test/fixtures/scale/nested-threads.ts does), then waits until all have arrived, and main reads
// its resident set at that moment (`aliveThreads.ts <threads> <iterations>`).
import { readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { isMainThread } from "node:worker_threads";
import { Lock, Thread, threadArgs } from "threadlens";

const ARRIVED = 0;
const RELEASED = 1;

function residentKb(): number {
  const status = readFileSync("/proc/self/status", "utf8");
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
}

if (isMainThread) {
  const threads = Number(process.argv[2] ?? 64);
  const iterations = Number(process.argv[3] ?? 200);
  const [outer, middle, inner] = ["outer", "middle", "inner"].map((name) => new Lock(name));
  const gate = new Int32Array(new SharedArrayBuffer(8));
  const started = Array.from({ length: threads }, (_, i) =>
    new Thread(new URL(import.meta.url), {
      name: `nester-${i}`,
      args: [outer, middle, inner, gate, iterations, i],
    }).start(),
  );
  // A bench, not a test: polling keeps main's event loop free while the workers start.
  while (Atomics.load(gate, ARRIVED) < threads) await delay(10);
  process.stderr.write(`\nthreadlens-bench: aliveRSS=${residentKb()}\n`);
  Atomics.store(gate, RELEASED, 1);
  Atomics.notify(gate, RELEASED);
  for (const t of started) await t.join();
} else {
  const [outer, middle, inner, gate, iterations, index] =
    threadArgs<[Lock, Lock, Lock, Int32Array, number, number]>();
  for (let i = 0; i < iterations; i++) {
    outer.acquireSync();
    middle.acquireSync();
    const deep = (i + index) % 3 === 0;
    if (deep) inner.acquireSync();
    if (deep) inner.release();
    middle.release();
    outer.release();
  }
  Atomics.add(gate, ARRIVED, 1);
  Atomics.wait(gate, RELEASED, 0);
}
