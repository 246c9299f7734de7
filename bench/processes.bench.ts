// Primitives shared across processes (`npm run bench:processes`): what a child pays for an
// operation on its parent's primitive, against the floor of any cross-process call, a plain
// `process.send` echo round trip between the same two processes' kind.
//   floor        parent → child → parent over the fork's IPC channel (process.send echo)
//   lock async   in the child: await lock.acquire(); lock.release() on the parent's Lock
//   lock Sync    in the child: lock.acquireSync(); lock.release()
//   queue        in the child: await queue.put(i); await queue.get() on the parent's Queue
//   ping-pong    parent puts on `ping`, the child gets it and puts it on `pong`, parent gets it
// Each figure is microseconds per iteration (median of 5 rounds of N). THREADLENS_RECORD=0
// measures the operations alone; recorded, a child's release and put also wait for its
// recorder to pass its events on (so that a child killed right after leaves them on record).
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Lock, Process, Queue, processArgs } from "threadlens";

const N = Number(process.env["BENCH_N"] ?? "1000");
const ROUNDS = 5;
const self = fileURLToPath(import.meta.url);

type Results = Record<string, number>;
type Args = [Lock, Queue<number>, Queue<number>, Queue<number>, Queue<Results>];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function measure(run: () => Promise<void> | void): Promise<number> {
  await run(); // warm-up round
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    await run();
    rounds.push(((performance.now() - start) * 1000) / N);
  }
  return median(rounds);
}

async function floor(): Promise<number> {
  const child = fork(self, ["echo"], { serialization: "advanced" });
  await new Promise((resolve) => child.once("spawn", resolve));
  const once = (): Promise<unknown> => new Promise((resolve) => child.once("message", resolve));
  const result = await measure(async () => {
    for (let i = 0; i < N; i++) {
      const reply = once();
      child.send(i);
      await reply;
    }
  });
  child.kill();
  return result;
}

async function parent(): Promise<void> {
  const lock = new Lock("bench");
  const queue = new Queue<number>(0, { name: "q" });
  const ping = new Queue<number>(0, { name: "ping" });
  const pong = new Queue<number>(0, { name: "pong" });
  const results = new Queue<Results>(0, { name: "results" });
  const echo = await floor();
  const child = new Process(new URL(import.meta.url), {
    name: "bench-child",
    args: [lock, queue, ping, pong, results],
  }).start();
  const pingPong = await measure(async () => {
    for (let i = 0; i < N; i++) {
      await ping.put(i);
      await pong.get();
    }
  });
  await ping.put(-1);
  const figures = { floor: echo, ...(await results.get()), "ping-pong": pingPong };
  await child.join();
  const recorded = process.env["THREADLENS_RECORD"] === "0" ? "not recorded" : "recorded";
  console.log(`processes bench, N=${N}, ${recorded} (µs per iteration, median of ${ROUNDS})`);
  for (const [name, us] of Object.entries(figures)) {
    const ratio = name === "floor" ? "" : `  (${(us / echo).toFixed(1)}x floor)`;
    console.log(`  ${name.padEnd(12)} ${us.toFixed(1).padStart(8)}${ratio}`);
  }
}

async function child([lock, queue, ping, pong, results]: Args): Promise<void> {
  const figures: Results = {};
  figures["lock async"] = await measure(async () => {
    for (let i = 0; i < N; i++) {
      await lock.acquire();
      lock.release();
    }
  });
  figures["lock Sync"] = await measure(() => {
    for (let i = 0; i < N; i++) {
      lock.acquireSync();
      lock.release();
    }
  });
  figures["queue"] = await measure(async () => {
    for (let i = 0; i < N; i++) {
      await queue.put(i);
      await queue.get();
    }
  });
  await results.put(figures);
  for (let item = await ping.get(); item !== -1; item = await ping.get()) await pong.put(item);
}

if (process.argv[2] === "echo") {
  process.on("message", (m) => process.send?.(m));
} else {
  const args = processArgs<Args | []>();
  if (args.length === 0) await parent();
  else await child(args);
}
