// `npm test`'s last step: every test tier, each through node's test runner with TypeScript test
// files loaded by threadlens' own preload: unit (test/unit: pure and in-process, files run in
// parallel), then programs run as child processes (test/programs) and the debug adapter driven
// over DAP (test/adapter), which start processes of their own and so run fewer files at once,
// then other TypeScript loaders and test runners beside the preload (test/compat: ts-node, tsx,
// @swc-node/register, node --test, mocha, tap, vitest, jest, installed by
// scripts/corpus-setup.mjs).
// Node 20's runner takes no globs, so files are listed here. Then the extension in a real
// VS Code (test/e2e: code-server + chromium, its own harness). Every tier runs even when an
// earlier one failed, so one run shows every failure; each tier's wall time is printed.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const tiers =
  process.argv.slice(2).length > 0
    ? process.argv.slice(2)
    : ["test/unit", "test/programs", "test/adapter", "test/compat", "test/e2e"];
const E2E = "test/e2e";
const cores = availableParallelism();
// Files run at once per tier (THREADLENS_TEST_CONCURRENCY overrides, e.g. 1 to debug). The
// process tiers' tests wait on state with generous deadlines, so they bear one file per core.
const CONCURRENCY = {
  "test/unit": cores,
  "test/programs": cores,
  "test/adapter": cores,
};

function testFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...testFiles(full));
    else if (name.endsWith(".test.ts")) out.push(path.relative(root, full));
  }
  return out;
}

function concurrencyOf(tier) {
  const override = Number(process.env.THREADLENS_TEST_CONCURRENCY);
  if (Number.isInteger(override) && override > 0) return override;
  return CONCURRENCY[tier.replace(/\/+$/, "")] ?? 1;
}

let status = 0;
const times = [];
for (const tier of tiers) {
  const started = performance.now();
  let result;
  if (tier === E2E) {
    console.log("\n# e2e tier: the packaged extension in code-server 4.100.3 (test/e2e/run.mjs)");
    result = spawnSync(process.execPath, [path.join(root, "test/e2e/run.mjs")], {
      cwd: root,
      stdio: "inherit",
    });
  } else {
    const files = testFiles(path.join(root, tier));
    if (files.length === 0) continue;
    const concurrency = concurrencyOf(tier);
    console.log(`\n# ${tier}: ${files.length} files, ${concurrency} at a time`);
    result = spawnSync(
      process.execPath,
      ["--import", "./dist/register.mjs", "--test", `--test-concurrency=${concurrency}`, ...files],
      { cwd: root, stdio: "inherit" },
    );
  }
  const seconds = (performance.now() - started) / 1000;
  times.push(`${tier} ${seconds.toFixed(1)} s${result.status === 0 ? "" : " (failed)"}`);
  if (result.status !== 0) status = result.status ?? 1;
}
console.log(`\n# tier wall times: ${times.join(", ")}`);
process.exit(status);
