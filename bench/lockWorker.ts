// A bench worker: on each "run" it waits for the shared start signal, then increments the shared
// counter `iterations` times under the chosen lock, and reports "done". The Lock arrives by
// postMessage and is revived by threadlens into the same lock as the main thread's.
import { parentPort } from "node:worker_threads";
import { Lock } from "threadlens";
import { RawAtomicsMutex } from "./rawAtomicsMutex.ts";
import { GO, type FromWorker, type SetupMessage, type ToWorker } from "./workerProtocol.ts";

const port = parentPort;
if (port === null) throw new Error("bench/lockWorker.ts must run as a worker thread");

function threadlensSync(lock: Lock, counter: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    lock.acquireSync();
    counter[0] = counter[0] + 1;
    lock.release();
  }
}

function rawSync(mutex: RawAtomicsMutex, counter: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    mutex.lockSync();
    counter[0] = counter[0] + 1;
    mutex.unlock();
  }
}

async function threadlensAsync(lock: Lock, counter: Int32Array, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await lock.acquire();
    counter[0] = counter[0] + 1;
    lock.release();
  }
}

async function rawAsync(mutex: RawAtomicsMutex, counter: Int32Array, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await mutex.lock();
    counter[0] = counter[0] + 1;
    mutex.unlock();
  }
}

let setup: SetupMessage | undefined;
let raw: RawAtomicsMutex | undefined;

function send(message: FromWorker): void {
  port?.postMessage(message);
}

async function handle(message: ToWorker): Promise<void> {
  if (message.type === "setup") {
    // A value import of threadlens installs the revival; check that it did its work.
    if (!(message.lock instanceof Lock)) throw new Error("the Lock was not revived in the worker");
    setup = message;
    raw = new RawAtomicsMutex(message.rawWord);
    return;
  }
  if (setup === undefined || raw === undefined) throw new Error("run before setup");
  const { lock, counter, ctrl } = setup;
  const generation = Atomics.load(ctrl, GO);
  send({ type: "ready" });
  Atomics.wait(ctrl, GO, generation);
  const n = message.iterations;
  switch (message.impl) {
    case "threadlens-sync":
      threadlensSync(lock, counter, n);
      break;
    case "raw-sync":
      rawSync(raw, counter, n);
      break;
    case "threadlens-async":
      await threadlensAsync(lock, counter, n);
      break;
    case "raw-async":
      await rawAsync(raw, counter, n);
      break;
  }
  send({ type: "done" });
}

// Messages come one at a time: the main thread sends the next "run" only after every "done".
port.on("message", (message: ToWorker) => {
  handle(message).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
});
