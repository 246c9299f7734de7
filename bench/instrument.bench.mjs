// Cost of instrumenting programs that never import threadlens (DESIGN 3.2): the same workload
// under the preload with recording off (THREADLENS_RECORD=0: nothing instrumented) and on.
// Reports ns/op and ratios; no timed assertions. `npm run build && node bench/instrument.bench.mjs`
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const workload = path.join(root, "bench/instrumentWorkload.mjs");

function run(record) {
  const out = execFileSync(
    process.execPath,
    ["--import", path.join(root, "dist/register.mjs"), workload],
    { cwd: root, env: { ...process.env, THREADLENS_RECORD: record }, encoding: "utf8" },
  );
  return JSON.parse(out.trim().split("\n").at(-1));
}

const off = run("0");
const on = run("1");
for (const key of Object.keys(off)) {
  const ratio = on[key] / off[key];
  console.log(
    `${key}: ${off[key].toFixed(0)} ns/op uninstrumented, ${on[key].toFixed(0)} ns/op instrumented (x${ratio.toFixed(2)})`,
  );
}
