// The workload of instrument.bench.mjs, run once per mode: async-mutex acquire/release, and
// Atomics.wait calls that return "not-equal" (the path every hand-written Atomics lock takes
// on its uncontended retries). Prints one JSON line of ns per operation.
import { Mutex } from "async-mutex";

const N = 200_000;
const mutex = new Mutex();
const words = new Int32Array(new SharedArrayBuffer(4));

async function asyncMutex() {
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const release = await mutex.acquire();
    release();
  }
  return Number(process.hrtime.bigint() - start) / N;
}

function atomicsWaitNotEqual() {
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) Atomics.wait(words, 0, 1);
  return Number(process.hrtime.bigint() - start) / N;
}

await asyncMutex();
atomicsWaitNotEqual();
console.log(JSON.stringify({ asyncMutex: await asyncMutex(), atomicsWait: atomicsWaitNotEqual() }));
