// Recording cost (`npm run bench:recording`): the Lock bench runs twice, with recording off
// (THREADLENS_RECORD=0: same preload, same TypeScript loading) and on; ratios are printed.
// Inside each run the raw Atomics mutex and async-mutex are measured in the same process as the
// threadlens Lock, so "on / raw" and "on / async-mutex" are same-process ratios; "on / off"
// compares the two runs. The end-to-end workload (bench/workload.ts) runs in interleaved off/on
// pairs and reports the median of the pairs' ratios, wall and CPU time (workloadPairs.mjs:
// BENCH_PAIRS, default 7; BENCH_BASE=<another build's register.mjs> compares two builds too).
// Nothing here asserts a time.
import { spawnSync } from "node:child_process";
import { pairsFromEnv, pairsReport, workloadPairs } from "./workloadPairs.mjs";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const register = path.join(root, "dist/register.mjs");
const scale = process.env.BENCH_SCALE ?? "0.5";
const dir = mkdtempSync(path.join(tmpdir(), "threadlens-bench-"));

function node(args, env) {
  const r = spawnSync(process.execPath, ["--import", register, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

function lockRows(record) {
  const out = path.join(dir, `rows-${record}.json`);
  node(["bench/lock.bench.ts"], { THREADLENS_RECORD: record, BENCH_SCALE: scale, BENCH_JSON: out });
  return JSON.parse(readFileSync(out, "utf8"));
}

try {
  const off = lockRows("0");
  const on = lockRows("1");
  const pad = (s, n) => String(s).padEnd(n);
  console.log(`recording cost: node ${process.version}, BENCH_SCALE=${scale}\n`);
  console.log(
    pad("case", 40) +
      pad("off ns", 10) +
      pad("on ns", 10) +
      pad("on/off", 9) +
      pad("baseline", 26) +
      pad("on/base", 9) +
      "goal",
  );
  for (let i = 0; i < on.length; i++) {
    const a = off[i];
    const b = on[i];
    const onOff = b.threadlens / a.threadlens;
    const goal =
      b.baselineName === "raw Atomics mutex"
        ? "on/off <= 1.5, on/raw <= 3"
        : b.baselineName === "async-mutex Mutex"
          ? "on faster than async-mutex"
          : "";
    console.log(
      pad(b.name, 40) +
        pad(a.threadlens.toFixed(1), 10) +
        pad(b.threadlens.toFixed(1), 10) +
        pad(`${onOff.toFixed(2)}x`, 9) +
        pad(b.baselineName, 26) +
        pad(`${b.ratio.toFixed(2)}x`, 9) +
        goal,
    );
  }
  console.log();
  for (const line of pairsReport(workloadPairs(pairsFromEnv()))) console.log(line);
  console.log("ring: 16 bytes per event (4 int32 words)");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
