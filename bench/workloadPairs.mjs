// The end-to-end recording cost (issue 13: bench/workload.ts <= 1.3x recorded vs unrecorded),
// measured in pairs: each round runs the workload with recording off (THREADLENS_RECORD=0:
// same preload, same TypeScript loading) and on, back to back, in alternating order (off
// first in even rounds, on first in odd ones), so the drift of a busy machine and any
// first-or-second effect hit both sides alike. A round's ratio is on / off of that round; the
// figure is the median of the rounds' ratios, for the workload's wall time (printed by the
// program: from its first line to its workers' joins) and for the CPU time of the whole
// process (user + system of every thread, the recorder's included: bench/cpuTime.mjs), which
// moves far less with the machine's other load. Nothing asserts a time.
//
// With BENCH_BASE=<another build's dist/register.mjs> every round also runs that build, off
// and on, in a rotated order, and the figures compare the two builds too (this build's
// recorded run over the base's, per round, then the median): a before/after in one script.
//
//   node bench/workloadPairs.mjs           (BENCH_PAIRS=7, WORKLOAD_TRANSFERS=200000)
import { spawnTimed } from "./cpuTime.mjs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const workload = path.join(root, "bench/workload.ts");

function median(values) {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)];
}

/** One run of the workload under `register`: its own wall time and the process's CPU time. */
function runOnce(register, record) {
  const r = spawnTimed(process.execPath, ["--import", register, workload], {
    cwd: root,
    env: { ...process.env, THREADLENS_RECORD: record ? "1" : "0" },
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`${workload} failed (${r.status}):\n${r.stderr}`);
  return { wall: Number(r.stdout.trim().split("\n").at(-1)), cpu: r.cpuMs };
}

/**
 * `pairs` rounds of every build (name → register.mjs path) off and on, in a rotated order;
 * returns, per build, the medians of its runs and of its rounds' on/off ratios, and (with two
 * builds) the median of the rounds' ratios of the last build's recorded run over the first's.
 */
export function workloadPairs({ pairs, builds }) {
  const names = Object.keys(builds);
  const variants = names.flatMap((name) => [
    { name, record: false },
    { name, record: true },
  ]);
  const rounds = [];
  for (let i = 0; i < pairs; i++) {
    // Rotated and, in odd rounds, reversed: each variant runs in each position.
    const shift = i % variants.length;
    const order = [...variants.slice(shift), ...variants.slice(0, shift)];
    if (i % 2 === 1) order.reverse();
    const round = {};
    for (const v of order)
      round[`${v.name}:${v.record ? "on" : "off"}`] = runOnce(builds[v.name], v.record);
    rounds.push(round);
  }
  const perBuild = {};
  for (const name of names) {
    const off = rounds.map((r) => r[`${name}:off`]);
    const on = rounds.map((r) => r[`${name}:on`]);
    perBuild[name] = {
      offWall: median(off.map((r) => r.wall)),
      onWall: median(on.map((r) => r.wall)),
      offCpu: median(off.map((r) => r.cpu)),
      onCpu: median(on.map((r) => r.cpu)),
      wallRatio: median(rounds.map((_, i) => on[i].wall / off[i].wall)),
      cpuRatio: median(rounds.map((_, i) => on[i].cpu / off[i].cpu)),
      wallRatios: rounds.map((_, i) => on[i].wall / off[i].wall),
      cpuRatios: rounds.map((_, i) => on[i].cpu / off[i].cpu),
    };
  }
  let versus;
  if (names.length === 2) {
    const [base, head] = names;
    const of = (key) => (r) => r[`${head}:${key}`].cpu / r[`${base}:${key}`].cpu;
    const wallOf = (key) => (r) => r[`${head}:${key}`].wall / r[`${base}:${key}`].wall;
    versus = {
      base,
      head,
      onCpu: median(rounds.map(of("on"))),
      offCpu: median(rounds.map(of("off"))),
      onWall: median(rounds.map(wallOf("on"))),
      offWall: median(rounds.map(wallOf("off"))),
    };
  }
  return { pairs, perBuild, versus };
}

const x = (v) => `${v.toFixed(2)}x`;

/** The lines printed for workloadPairs()'s result. */
export function pairsReport({ pairs, perBuild, versus }) {
  const lines = [];
  for (const [name, b] of Object.entries(perBuild)) {
    lines.push(
      `end to end (bench/workload.ts, 4 workers, ${name}): median of ${pairs} interleaved off/on pairs: ` +
        `wall off ${b.offWall.toFixed(0)} ms, on ${b.onWall.toFixed(0)} ms, on/off ${x(b.wallRatio)}; ` +
        `CPU off ${b.offCpu.toFixed(0)} ms, on ${b.onCpu.toFixed(0)} ms, on/off ${x(b.cpuRatio)} (goal <= 1.3x)`,
      `  pairs' ratios: wall ${b.wallRatios.map((r) => r.toFixed(2)).join(" ")}; CPU ${b.cpuRatios.map((r) => r.toFixed(2)).join(" ")}`,
    );
  }
  if (versus !== undefined) {
    lines.push(
      `${versus.head} / ${versus.base} (median of ${pairs} rounds): recorded CPU ${x(versus.onCpu)}, wall ${x(versus.onWall)}; ` +
        `unrecorded CPU ${x(versus.offCpu)}, wall ${x(versus.offWall)}`,
    );
  }
  return lines;
}

/** workloadPairs()'s options from the environment: BENCH_PAIRS, BENCH_BASE. */
export function pairsFromEnv() {
  const head = path.join(root, "dist/register.mjs");
  const base = process.env.BENCH_BASE;
  const builds = base === undefined ? { this: head } : { base: path.resolve(base), this: head };
  return { pairs: Number(process.env.BENCH_PAIRS ?? 7), builds };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const line of pairsReport(workloadPairs(pairsFromEnv()))) console.log(line);
}
