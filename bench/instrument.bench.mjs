// Cost of instrumenting programs that never import threadlens (DESIGN 3.2): the same workload
// under the preload with recording off (THREADLENS_RECORD=0: nothing instrumented) and on.
// Instrumentation is installed when a thread starts, so the two modes cannot share a process:
// they run in alternating processes, ROUNDS each, and the ratio reported is the median of the
// rounds' ratios (each round's pair ran back to back), which keeps the drift of a busy machine
// out of it. Reports ns/op and ratios; no timed assertions.
// `npm run build && node bench/instrument.bench.mjs`
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const workload = path.join(root, "bench/instrumentWorkload.mjs");
const ROUNDS = 5;

function run(record) {
  const out = execFileSync(
    process.execPath,
    ["--import", path.join(root, "dist/register.mjs"), workload],
    { cwd: root, env: { ...process.env, THREADLENS_RECORD: record }, encoding: "utf8" },
  );
  return JSON.parse(out.trim().split("\n").at(-1));
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const rounds = [];
for (let i = 0; i < ROUNDS; i++) rounds.push({ off: run("0"), on: run("1") });
for (const key of Object.keys(rounds[0].off)) {
  const off = median(rounds.map((r) => r.off[key]));
  const on = median(rounds.map((r) => r.on[key]));
  const ratio = median(rounds.map((r) => r.on[key] / r.off[key]));
  console.log(
    `${key}: ${off.toFixed(0)} ns/op uninstrumented, ${on.toFixed(0)} ns/op instrumented (x${ratio.toFixed(2)}, median of ${ROUNDS} rounds)`,
  );
}
