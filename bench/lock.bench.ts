// Lock benchmarks (`npm run bench`, recording off: THREADLENS_RECORD=0; bench/recording.bench.mjs
// runs it with recording on too): threadlens' Lock against baselines run in the same process,
// printed as ratios. Nothing here asserts a time: goals are reported as met or not. The one
// hard failure is correctness: a shared counter incremented under a lock must come out exact,
// or the process exits 1.
//
// Sizes scale with BENCH_SCALE (default 1; e.g. BENCH_SCALE=0.1 for a quick look).
import { writeFileSync } from "node:fs";
import { Mutex } from "async-mutex";
import { Lock } from "threadlens";
import {
  handoffs,
  tasksAsyncMutex,
  tasksRaw,
  tasksThreadlens,
  uncontendedAsyncMutex,
  uncontendedRaw,
  uncontendedThreadlens,
} from "./asyncLoops.ts";
import { formatTable, measure, met, nsPerOp, row } from "./harness.ts";
import type { Goal, Plan, Row } from "./harness.ts";
import { RawAtomicsMutex } from "./rawAtomicsMutex.ts";
import { CounterMismatch, WorkerGang } from "./workerGang.ts";

const scale = Number(process.env["BENCH_SCALE"] ?? "1");
if (!(scale > 0)) throw new Error(`BENCH_SCALE must be a positive number, got ${scale}`);
const size = (n: number): number => Math.max(1, Math.round(n * scale));

const WORKERS = 4;
const TASKS = 4;
const N_SYNC = size(1_000_000); // uncontended acquireSync/release pairs per round
const N_ASYNC = size(200_000); // uncontended `await acquire()`/release pairs per round
const K_TASKS = size(25_000); // increments per task per round, contended async (one thread)
const K_SYNC = size(200_000); // increments per worker per round, contended sync
const K_ASYNC = size(50_000); // increments per worker per round, contended async (workers)
const PLAN: Plan = { warmup: 5, rounds: 15 };
const WORKER_PLAN: Plan = { warmup: 3, rounds: 11 };

const AT_MOST_10_PERCENT: Goal = { limit: 1.1, strict: false };
const AT_MOST_25_PERCENT: Goal = { limit: 1.25, strict: false };
const FASTER: Goal = { limit: 1, strict: true };

function uncontendedSyncThreadlens(lock: Lock, n: number): number {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    lock.acquireSync();
    lock.release();
  }
  return nsPerOp(performance.now() - start, n);
}

function uncontendedSyncRaw(mutex: RawAtomicsMutex, n: number): number {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    mutex.lockSync();
    mutex.unlock();
  }
  return nsPerOp(performance.now() - start, n);
}

function progress(text: string): void {
  process.stderr.write(`  ${text}\n`);
}

function samples(m: Map<string, number[]>, name: string): number[] {
  const values = m.get(name);
  if (values === undefined) throw new Error(`no samples for ${name}`);
  return values;
}

async function main(): Promise<Row[]> {
  const rows: Row[] = [];
  const lock = new Lock("bench");
  const raw = new RawAtomicsMutex();
  const mutex = new Mutex();

  progress(`uncontended sync (${N_SYNC} pairs/round)`);
  let m = await measure(
    [
      { name: "threadlens", round: () => uncontendedSyncThreadlens(lock, N_SYNC) },
      { name: "raw", round: () => uncontendedSyncRaw(raw, N_SYNC) },
    ],
    PLAN,
  );
  // Rows from the samples of the case measured last (`m`).
  const tl = (): number[] => samples(m, "threadlens");
  const rawRow = (name: string, goal: Goal | undefined, what = "raw Atomics mutex"): Row =>
    row(name, what, tl(), samples(m, "raw"), goal);
  const mutexRow = (name: string): Row =>
    row(name, "async-mutex Mutex", tl(), samples(m, "async-mutex"), FASTER);
  rows.push(rawRow("uncontended acquireSync/release", AT_MOST_10_PERCENT));

  progress(`uncontended async (${N_ASYNC} pairs/round)`);
  m = await measure(
    [
      { name: "threadlens", round: () => uncontendedThreadlens(lock, N_ASYNC) },
      { name: "async-mutex", round: () => uncontendedAsyncMutex(mutex, N_ASYNC) },
      { name: "raw", round: () => uncontendedRaw(raw, N_ASYNC) },
    ],
    PLAN,
  );
  const uncontendedAsync = "uncontended await acquire()/release";
  rows.push(mutexRow(uncontendedAsync));
  rows.push(rawRow(uncontendedAsync, undefined, "raw async Atomics mutex"));

  progress(`${TASKS} async tasks in one thread (${K_TASKS} increments/task/round)`);
  m = await measure(
    [
      { name: "threadlens", round: () => tasksThreadlens(lock, TASKS, K_TASKS) },
      { name: "async-mutex", round: () => tasksAsyncMutex(mutex, TASKS, K_TASKS) },
      { name: "raw", round: () => tasksRaw(raw, TASKS, K_TASKS) },
    ],
    PLAN,
  );
  const tasks = `contended async, ${TASKS} tasks in 1 thread`;
  rows.push(mutexRow(tasks));
  rows.push(rawRow(tasks, undefined, "raw async Atomics mutex"));

  const gang = new WorkerGang(WORKERS, lock, raw.word);
  try {
    progress(`contended sync, ${WORKERS} workers (${K_SYNC} increments/worker/round)`);
    m = await measure(
      [
        { name: "threadlens", round: () => gang.round("threadlens-sync", K_SYNC) },
        { name: "raw", round: () => gang.round("raw-sync", K_SYNC) },
      ],
      WORKER_PLAN,
    );
    rows.push(rawRow(`contended acquireSync, ${WORKERS} workers`, AT_MOST_25_PERCENT));

    progress(`contended async, ${WORKERS} workers (${K_ASYNC} increments/worker/round)`);
    m = await measure(
      [
        { name: "threadlens", round: () => gang.round("threadlens-async", K_ASYNC) },
        { name: "raw", round: () => gang.round("raw-async", K_ASYNC) },
      ],
      WORKER_PLAN,
    );
    const workersAsync = `contended await acquire(), ${WORKERS} workers`;
    rows.push(rawRow(workersAsync, AT_MOST_25_PERCENT, "raw async Atomics mutex"));
  } finally {
    await gang.close();
  }
  return rows;
}

const started = performance.now();
console.log(
  `threadlens lock bench: node ${process.version}, ${PLAN.rounds} rounds ` +
    `(${WORKER_PLAN.rounds} with workers) after warm-up, BENCH_SCALE=${scale}`,
);
main().then(
  (rows) => {
    const owners = ["threadlens", "async-mutex", "raw"]
      .map((name) => `${name} ${handoffs.get(name) ?? "?"}`)
      .join(", ");
    console.log("");
    console.log(formatTable(rows));
    console.log("");
    console.log("ns/op: median over rounds; ratio: median over rounds of threadlens / baseline.");
    console.log(
      "async-mutex keeps its state in one thread's heap, so it is compared only within one " +
        "thread;\nacross workers the async baseline is the raw Atomics.waitAsync mutex.",
    );
    console.log(
      `${TASKS} tasks in 1 thread, lock hand-offs between tasks in the last round of ` +
        `${TASKS * K_TASKS} ops: ${owners}.`,
    );
    // For bench/recording.bench.mjs, which compares a run with recording on to one with it off.
    const jsonOut = process.env["BENCH_JSON"];
    if (jsonOut !== undefined) writeFileSync(jsonOut, JSON.stringify(rows));
    const missed = rows.filter((r) => met(r) === false).length;
    console.log(
      `${missed === 0 ? "all goals met" : `${missed} goal(s) missed`}; counters exact; ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  },
  (error: unknown) => {
    if (error instanceof CounterMismatch) {
      console.error(`FAIL: lost updates: ${error.message}`);
    } else {
      console.error(error);
    }
    process.exit(1);
  },
);
