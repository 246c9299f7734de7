// Recording at scale (`npm run bench:threads`, issue 12): the threads × events curve of a
// program whose worker threads take two or three locks nested in one order
// (test/fixtures/scale/nested-threads.ts), and a primitive flood (bench/flood.ts), each run
// with recording on (`node --import threadlens/register`) and off (THREADLENS_RECORD=0, same
// preload), interleaved. Per row: wall time, CPU time and peak RSS of both, and the ratios.
// Goals (issue 12): on/off wall time <= 2x, peak RSS <= 1.5x, and no finding (exit 0) for
// these correct programs. Nothing is asserted: a busy machine must not fail a build.
// A peak RSS moves with how many threads happen to overlap, so each nested row has an "alive"
// twin (`nested-threads.ts <threads> <iterations> alive`): the same work, then every thread
// waits for the others and the RSS column is the resident set with all of them alive, the
// memory recording adds per thread.
//   BENCH_THREADS="16,64,128,256"  BENCH_ITERATIONS="50,200"  BENCH_ROUNDS=1
//   BENCH_FLOOD="4x400000,4x1600000" (workers x operations; "" skips the flood)
// The floods' last line compares their peak RSS across sizes: with recording off it must not
// grow with the operations, with it only by the rings and the analysis' bounded state.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./harness.ts";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const register = path.join(root, "dist/register.mjs");
const peakRss = path.join(root, "bench/peakRss.mjs");
const list = (name: string, fallback: string): string[] =>
  (process.env[name] ?? fallback).split(",").filter((s) => s.trim() !== "");
const threadCounts = list("BENCH_THREADS", "16,64,128").map(Number);
const iterationCounts = list("BENCH_ITERATIONS", "50,200").map(Number);
const rounds = Number(process.env["BENCH_ROUNDS"] ?? 1);
const floods = list("BENCH_FLOOD", "4x400000,4x1600000");

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly rssMb: number;
  /** The resident set with every thread alive (an alive row), else NaN. */
  readonly aliveMb: number;
  /** Exit status, and a finding printed by the preload (none expected). */
  readonly status: number | null;
  readonly finding: boolean;
}

function runOnce(recording: boolean, program: string, args: readonly string[]): Sample {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env["NODE_OPTIONS"];
  if (recording) delete env["THREADLENS_RECORD"];
  else env["THREADLENS_RECORD"] = "0";
  const started = performance.now();
  const r = spawnSync(
    process.execPath,
    ["--import", register, "--import", peakRss, path.join(root, program), ...args],
    { cwd: root, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const wallMs = performance.now() - started;
  const usage = /threadlens-bench: maxRSS=(\d+) cpuMs=(\d+)/.exec(r.stderr);
  const alive = /threadlens-bench: aliveRSS=(\d+)/.exec(r.stderr);
  return {
    wallMs,
    cpuMs: Number(usage?.[2] ?? NaN),
    rssMb: Number(usage?.[1] ?? NaN) / 1024,
    aliveMb: Number(alive?.[1] ?? NaN) / 1024,
    status: r.status,
    finding: /threadlens: (?!no findings)/.test(r.stderr),
  };
}

interface Row {
  readonly label: string;
  readonly program: string;
  readonly args: readonly string[];
}

const rows: Row[] = [];
for (const threads of threadCounts) {
  for (const iterations of iterationCounts) {
    rows.push({
      label: `${threads} threads x ${iterations} nested`,
      program: "test/fixtures/scale/nested-threads.ts",
      args: [String(threads), String(iterations)],
    });
    rows.push({
      label: `${threads} threads x ${iterations} alive`,
      program: "test/fixtures/scale/nested-threads.ts",
      args: [String(threads), String(iterations), "alive"],
    });
  }
}
for (const flood of floods) {
  const [workers = "8", operations = "1000000"] = flood.split("x");
  rows.push({
    label: `flood ${workers} x ${operations} ops`,
    program: "bench/flood.ts",
    args: [workers, operations],
  });
}

const pad = (s: string, n: number): string => s.padEnd(n);
const fixed = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toFixed(digits) : "-");
console.log(`recording at scale: node ${process.version}, median of ${rounds} round(s)\n`);
console.log(
  pad("case", 30) +
    pad("off s", 8) +
    pad("on s", 8) +
    pad("wall", 7) +
    pad("off cpu", 9) +
    pad("on cpu", 9) +
    pad("cpu", 7) +
    pad("off MB", 8) +
    pad("on MB", 8) +
    pad("rss", 7) +
    "exit on/off",
);
/** Peak RSS (MB) of each flood row, off and on, for the growth line at the end. */
const floodRss: { label: string; off: number; on: number }[] = [];
for (const row of rows) {
  const off: Sample[] = [];
  const on: Sample[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate which side runs first.
    if (r % 2 === 0) {
      off.push(runOnce(false, row.program, row.args));
      on.push(runOnce(true, row.program, row.args));
    } else {
      on.push(runOnce(true, row.program, row.args));
      off.push(runOnce(false, row.program, row.args));
    }
  }
  const m = (samples: Sample[], key: "wallMs" | "cpuMs" | "rssMb" | "aliveMb"): number =>
    median(samples.map((s) => s[key]));
  const rssKey = row.args.includes("alive") ? "aliveMb" : "rssMb";
  const [offWall, onWall] = [m(off, "wallMs") / 1000, m(on, "wallMs") / 1000];
  const [offCpu, onCpu] = [m(off, "cpuMs") / 1000, m(on, "cpuMs") / 1000];
  const [offRss, onRss] = [m(off, rssKey), m(on, rssKey)];
  if (row.program === "bench/flood.ts") floodRss.push({ label: row.label, off: offRss, on: onRss });
  const status = (s: Sample[]): string =>
    s.map((x) => `${x.status ?? "signal"}${x.finding ? "+finding" : ""}`).join(",");
  console.log(
    pad(row.label, 30) +
      pad(fixed(offWall, 1), 8) +
      pad(fixed(onWall, 1), 8) +
      pad(`${fixed(onWall / offWall, 2)}x`, 7) +
      pad(fixed(offCpu, 1), 9) +
      pad(fixed(onCpu, 1), 9) +
      pad(`${fixed(onCpu / offCpu, 2)}x`, 7) +
      pad(fixed(offRss), 8) +
      pad(fixed(onRss), 8) +
      pad(`${fixed(onRss / offRss, 2)}x`, 7) +
      `${status(on)}/${status(off)}`,
  );
}
const [smallest, largest] = [floodRss[0], floodRss.at(-1)];
if (smallest !== undefined && largest !== undefined && smallest !== largest) {
  console.log(
    `\nflood peak RSS from ${smallest.label} to ${largest.label}: ` +
      `off ${fixed(smallest.off)} -> ${fixed(largest.off)} MB (${fixed(largest.off / smallest.off, 2)}x), ` +
      `on ${fixed(smallest.on)} -> ${fixed(largest.on)} MB (${fixed(largest.on / smallest.on, 2)}x)`,
  );
}
console.log(
  '\nrss: peak resident set; in the "alive" rows, the resident set with every thread alive',
);
console.log("goals: wall <= 2x, rss <= 1.5x, exit 0 and no finding (issue 12)");
