// Start-up cost of the preload (`npm run bench:startup`): plain `node` against
// `node --import ./dist/register.mjs` in the same run, on an empty .js script, an empty .ts one
// (compile cache warm, and cold: a new content each run) and a worker thread's start, of a
// CommonJS, an ES module and a TypeScript entry (measured
// inside the program: from `new Worker` to the worker's first line, for workers started one
// after another). Every round runs every variant once, interleaved, so a busy machine's drift
// hits both sides; the figures are medians over the rounds. Goals (issue 13): empty .js
// <= +60 ms, .ts <= +120 ms, a worker's start <= +15 ms over plain node's. Nothing asserts a time.
// Each run's CPU time (user + system, every thread) is shown too: on a machine other programs
// share it moves much less than wall time. The worker case's CPU row is per worker: the
// script's extra CPU time over plain node's, less the empty .js script's, over BENCH_WORKERS.
import { caCertsNote, spawnTimed } from "./cpuTime.mjs";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// BENCH_PRELOAD: another build's register.mjs, to compare two builds with the same script.
const register = path.resolve(process.env.BENCH_PRELOAD ?? path.join(root, "dist/register.mjs"));
const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const workers = Number(process.env.BENCH_WORKERS ?? 8);
const dir = mkdtempSync(path.join(tmpdir(), "threadlens-startup-"));
const file = (name, text) => {
  const full = path.join(dir, name);
  writeFileSync(full, text);
  return full;
};

const emptyJs = file("empty.js", "\n");
const emptyTs = file("empty.ts", "const ready: boolean = true;\nvoid ready;\n");
const workerModule = file(
  "worker.js",
  'require("node:worker_threads").parentPort.postMessage(performance.timeOrigin);\n',
);
// The same worker as an ES module: plain node's baseline for the TypeScript worker, which is
// one (plain node cannot start a TypeScript worker at all, and an ES module's start costs Node
// about 5 ms more than a CommonJS one's: its ES module loader, in the worker).
const workerModuleEsm = file(
  "worker.mjs",
  'import { parentPort } from "node:worker_threads";\nconst origin = performance.timeOrigin;\nparentPort?.postMessage(origin);\n',
);
// The same worker in TypeScript: under the preload its entry is compiled ahead
// (runtime/workerPrecompile.ts).
const workerModuleTs = file(
  "worker.ts",
  'import { parentPort } from "node:worker_threads";\nconst origin: number = performance.timeOrigin;\nparentPort?.postMessage(origin);\n',
);
// Prints the median ms from `new Worker` to the worker's first line over BENCH_WORKERS workers.
const startsOf = (name, module) =>
  file(
    name,
    `import { Worker } from "node:worker_threads";
const times = [];
for (let i = 0; i < ${workers}; i++) {
  const start = performance.timeOrigin + performance.now();
  const worker = new Worker(${JSON.stringify(module)});
  // Listened for from the start: a worker that posts and ends at once can have its 'exit'
  // emitted in the same turn as its message, before code after an await could listen.
  const exited = new Promise((resolve) => worker.once("exit", resolve));
  const firstLine = await new Promise((resolve, reject) => {
    worker.once("message", () => resolve(performance.timeOrigin + performance.now()));
    worker.once("error", reject);
  });
  await exited;
  times.push(firstLine - start);
}
times.sort((a, b) => a - b);
console.log(times[Math.floor(times.length / 2)]);
`,
  );
const workerStarts = startsOf("workerStarts.mjs", workerModule);
const workerStartsEsm = startsOf("workerStartsEsm.mjs", workerModuleEsm);
const workerStartsTs = startsOf("workerStartsTs.mjs", workerModuleTs);

let coldRun = 0;
const failures = [];
function run(args, { output = false } = {}) {
  const start = process.hrtime.bigint();
  const r = spawnTimed(process.execPath, args, {
    cwd: dir,
    env: { ...process.env, THREADLENS_RECORD: undefined },
    encoding: "utf8",
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status === 0)
    return { ms: output ? Number(r.stdout.trim().split("\n").at(-1)) : ms, cpu: r.cpuMs };
  // A build that fails a case (an older one, compared through BENCH_PRELOAD) gets it reported.
  failures.push(`node ${args.join(" ")} exited ${r.status}:\n${r.stderr.slice(0, 2000)}`);
  return { ms: NaN, cpu: NaN };
}

const preload = ["--import", register];
const cases = [
  {
    name: "empty .js",
    goal: 60,
    plain: () => run([emptyJs]),
    preload: () => run([...preload, emptyJs]),
  },
  {
    name: "empty .ts (compile cache warm)",
    goal: 120,
    plain: () => run([emptyJs]),
    preload: () => run([...preload, emptyTs]),
  },
  {
    name: "empty .ts (cold: new source)",
    goal: undefined,
    plain: () => run([emptyJs]),
    preload: () =>
      run([...preload, file(`cold${coldRun}.ts`, `const run: number = ${coldRun++};\n`)]),
  },
  {
    name: "worker start (CommonJS)",
    goal: 15,
    perWorker: true,
    plain: () => run([workerStarts], { output: true }),
    preload: () => run([...preload, workerStarts], { output: true }),
  },
  {
    name: "worker start (ES module)",
    goal: 15,
    perWorker: true,
    plain: () => run([workerStartsEsm], { output: true }),
    preload: () => run([...preload, workerStartsEsm], { output: true }),
  },
  {
    name: "worker start (TypeScript)",
    goal: 15,
    perWorker: true,
    plain: () => run([workerStartsEsm], { output: true }),
    preload: () => run([...preload, workerStartsTs], { output: true }),
  },
];

function median(values) {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)];
}

try {
  run([...preload, emptyTs]); // warms the compile cache and the file system's
  const samples = cases.map(() => ({ plain: [], preload: [], extra: [], extraCpu: [] }));
  for (let r = 0; r < rounds; r++) {
    cases.forEach((c, i) => {
      const plain = c.plain();
      const pre = c.preload();
      samples[i].plain.push(plain.ms);
      samples[i].preload.push(pre.ms);
      samples[i].extra.push(pre.ms - plain.ms);
      samples[i].extraCpu.push(pre.cpu - plain.cpu);
    });
  }
  const pad = (s, n) => String(s).padEnd(n);
  console.log(
    `start-up: node ${process.version}, ${register}, median of ${rounds} interleaved rounds; ` +
      `${caCertsNote()}\n` +
      `worker rows: the median of ${workers} starts a run; the TypeScript worker's plain ` +
      `baseline is the same worker as an ES module\n`,
  );
  console.log(
    pad("case", 34) +
      pad("plain ms", 10) +
      pad("preload ms", 12) +
      pad("ratio", 8) +
      pad("+ms", 9) +
      pad("+cpu ms", 9) +
      "goal",
  );
  const emptyJsCpu = median(samples[0].extraCpu);
  cases.forEach((c, i) => {
    const s = samples[i];
    const plain = median(s.plain);
    const pre = median(s.preload);
    const extra = median(s.extra);
    const cpu = c.perWorker ? (median(s.extraCpu) - emptyJsCpu) / workers : median(s.extraCpu);
    const goal =
      c.goal === undefined ? "" : `<= +${c.goal} ms ${extra <= c.goal ? "met" : "NOT met"}`;
    console.log(
      pad(c.name, 34) +
        pad(plain.toFixed(1), 10) +
        pad(pre.toFixed(1), 12) +
        pad(`${(pre / plain).toFixed(2)}x`, 8) +
        pad(`+${extra.toFixed(1)}`, 9) +
        pad(`+${cpu.toFixed(1)}`, 9) +
        goal,
    );
  });
  if (failures.length > 0) {
    console.log(`\n${failures.length} run(s) failed (their rows say NaN); the first:`);
    console.log(failures[0]);
    process.exitCode = 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
