// `npm run bench:explore` (DESIGN 8.1): what controlled schedules cost.
// 1. Runs per second of `threadlens explore` on a small program (bench/exploreProgram.ts, no
//    run fails, so every run goes to its end), for PCT and the random walk: each run is a node
//    process under the preload and its recorder, with the scheduler on.
// 2. The scheduler when off: each synchronization point tests one module-level boolean
//    (`scheduleOn`, false without THREADLENS_SCHEDULE) before anything else. Measured in this
//    process with recording on, as Lock acquireSync/release pairs (and `await acquire()` pairs)
//    through a Lock subclass whose acquisition makes one more such test, against the same
//    subclass without it: the ratio is what the off scheduler adds to recording-only
//    synchronization. Goal: within 2 %. A third, identical copy gives the noise floor.
// Goals are reported, never asserted. BENCH_SCALE scales the sizes (e.g. 0.1 for a quick look).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Lock } from "threadlens";
import { formatTable, measure, nsPerOp, row, type Goal, type Plan } from "./harness.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const scale = Number(process.env["BENCH_SCALE"] ?? "1");
if (!(scale > 0)) throw new Error(`BENCH_SCALE must be a positive number, got ${scale}`);
const size = (n: number): number => Math.max(1, Math.round(n * scale));

const EXPLORE_RUNS = size(20);
const N_SYNC = size(1_000_000);
const N_ASYNC = size(200_000);
const PLAN: Plan = { warmup: 5, rounds: 15 };
const WITHIN_2_PERCENT: Goal = { limit: 1.02, strict: false };

function exploreRate(strategy: string): { runsPerSecond: number; ms: number } {
  const env = { ...process.env };
  delete env["NODE_OPTIONS"];
  const started = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      path.join(root, "dist/cli.js"),
      "explore",
      "bench/exploreProgram.ts",
      "--runs",
      String(EXPLORE_RUNS),
      "--strategy",
      strategy,
      "--seed",
      "1",
      "--json",
    ],
    { cwd: root, env, encoding: "utf8" },
  );
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`explore exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return { runsPerSecond: (EXPLORE_RUNS * 1000) / ms, ms };
}

// As the runtime has it (src/runtime/schedule/scheduler.ts): a module constant from the env.
const scheduleOn: boolean = (process.env["THREADLENS_SCHEDULE"] ?? "") !== "";
function pointCheck(): void {
  throw new Error("the bench runs without a schedule");
}

// The same Lock three times, each operation wrapped alike; only the first tests the flag, as
// each synchronization point does (`if (scheduleOn && this.#recorded) pointSync(...)`). The
// second copy of the plain wrapper shows the noise floor of the comparison.
class OffLock extends Lock {
  override acquireSync(): boolean {
    if (scheduleOn && this.recorded) pointCheck();
    return super.acquireSync();
  }
  override acquire(): Promise<boolean> {
    if (scheduleOn && this.recorded) pointCheck();
    return super.acquire();
  }
}
class RecordingLock extends Lock {
  override acquireSync(): boolean {
    return super.acquireSync();
  }
  override acquire(): Promise<boolean> {
    return super.acquire();
  }
}
class RecordingLockCopy extends Lock {
  override acquireSync(): boolean {
    return super.acquireSync();
  }
  override acquire(): Promise<boolean> {
    return super.acquire();
  }
}
const locks = { off: new OffLock(), recording: new RecordingLock(), copy: new RecordingLockCopy() };
let sink = 0;

function syncPairs(lock: Lock, n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    lock.acquireSync();
    sink++;
    lock.release();
  }
  return nsPerOp(performance.now() - t0, n);
}

async function asyncPairs(lock: Lock, n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await lock.acquire();
    sink++;
    lock.release();
  }
  return nsPerOp(performance.now() - t0, n);
}

async function main(): Promise<void> {
  if (scheduleOn) throw new Error("run the bench without THREADLENS_SCHEDULE");
  if (!locks.off.recorded) {
    throw new Error("run the bench with recording on (no THREADLENS_RECORD=0)");
  }
  process.stdout.write(`threadlens explore: runs per second (${EXPLORE_RUNS} runs each)\n`);
  for (const strategy of ["pct", "random"]) {
    const { runsPerSecond, ms } = exploreRate(strategy);
    process.stdout.write(
      `  ${strategy.padEnd(6)} ${runsPerSecond.toFixed(2)} runs/s (${(ms / EXPLORE_RUNS).toFixed(0)} ms a run)\n`,
    );
  }
  const sides = ["off", "recording", "copy"] as const;
  const sync = await measure(
    sides.map((side) => ({ name: side, round: () => syncPairs(locks[side], N_SYNC) })),
    PLAN,
  );
  const asyncSamples = await measure(
    sides.map((side) => ({ name: side, round: () => asyncPairs(locks[side], N_ASYNC) })),
    PLAN,
  );
  const rows = [
    ["acquireSync/release", sync],
    ["await acquire()/release", asyncSamples],
  ].flatMap(([name, samples]) => {
    const of = (side: string): number[] => (samples as Map<string, number[]>).get(side) ?? [];
    return [
      row(
        `${name as string}, scheduler off`,
        "recording only",
        of("off"),
        of("recording"),
        WITHIN_2_PERCENT,
      ),
      row(
        `${name as string}, same code (noise)`,
        "recording only",
        of("copy"),
        of("recording"),
        undefined,
      ),
    ];
  });
  process.stdout.write(
    `\nthe scheduler when off (one boolean test per sync point), recording on\n`,
  );
  process.stdout.write(`${formatTable(rows)}\n`);
  // Every pair ran: a lock that let an operation through twice or not at all shows here.
  if (sink !== (PLAN.warmup + PLAN.rounds) * sides.length * (N_SYNC + N_ASYNC)) {
    process.stderr.write(`wrong count ${sink}\n`);
    process.exitCode = 1;
  }
}

await main();
