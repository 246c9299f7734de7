// `npm test`'s last step: every test tier, each through node's test runner with TypeScript test
// files loaded by threadlens' own preload: unit (test/unit: pure and in-process, files run in
// parallel), then programs run as child processes (test/programs) and the debug adapter driven
// over DAP (test/adapter), which start processes of their own and so run fewer files at once,
// then other TypeScript loaders and test runners beside the preload (test/compat: ts-node, tsx,
// @swc-node/register, node --test, mocha, tap, vitest, jest, installed by
// scripts/corpus-setup.mjs).
// Node 20's runner takes no globs, so files are listed here. Then the extension in a real
// VS Code (test/e2e: code-server + chromium, its own harness). Every tier runs even when an
// earlier one failed, so one run shows every failure; each tier's wall time is printed, with
// its slowest files. Files run slowest first (by their times in the last run, kept in
// node_modules/.cache/threadlens/test-times.json; new files first of all): a long file
// started last would leave the other cores idle at the tier's end.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureCorpus } from "./corpus-setup.mjs";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const tiers =
  process.argv.slice(2).length > 0
    ? process.argv.slice(2)
    : ["test/unit", "test/programs", "test/adapter", "test/compat", "test/e2e"];
const E2E = "test/e2e";
const cores = availableParallelism();
// Files run at once per tier (THREADLENS_TEST_CONCURRENCY overrides, e.g. 1 to debug). The
// process tiers' tests wait on state with generous deadlines, so they bear one file per core.
// The compatibility tests' packages are installed once, before the tier (corpus-setup.mjs),
// so that its files, which only read them, run side by side too.
const CONCURRENCY = {
  "test/unit": cores,
  "test/programs": cores,
  "test/adapter": cores,
  "test/compat": cores,
};
const COMPAT = "test/compat";
const timesDir = path.join(root, "node_modules/.cache/threadlens");
const timesFile = path.join(timesDir, "test-times.json");
const SLOWEST_SHOWN = 5;

function readTimes(file) {
  try {
    const times = JSON.parse(readFileSync(file, "utf8"));
    return times !== null && typeof times === "object" ? times : {};
  } catch {
    return {};
  }
}

/** `files` slowest first by `times` (absolute path → ms); files without a time come first. */
function slowestFirst(files, times) {
  const time = (f) => times[path.join(root, f)] ?? Infinity;
  return [...files].sort((a, b) => time(b) - time(a) || a.localeCompare(b));
}

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
const fileTimes = readTimes(timesFile);
mkdirSync(timesDir, { recursive: true });
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
    const files = slowestFirst(testFiles(path.join(root, tier)), fileTimes);
    if (files.length === 0) continue;
    if (tier.replace(/\/+$/, "") === COMPAT) {
      try {
        ensureCorpus();
      } catch (error) {
        // Each file's own setup fails then too, with this message, as a test failure.
        console.error(String(error));
      }
    }
    const concurrency = concurrencyOf(tier);
    console.log(`\n# ${tier}: ${files.length} files, ${concurrency} at a time`);
    // The default reporter (spec on a terminal, tap otherwise) and the files' times.
    const tierTimes = path.join(timesDir, `tier-${process.pid}.json`);
    const reporters = [
      `--test-reporter=${process.stdout.isTTY ? "spec" : "tap"}`,
      "--test-reporter-destination=stdout",
      `--test-reporter=${path.join(root, "scripts/testTimes.mjs")}`,
      `--test-reporter-destination=${tierTimes}`,
    ];
    result = spawnSync(
      process.execPath,
      [
        "--import",
        "./dist/register.mjs",
        "--test",
        `--test-concurrency=${concurrency}`,
        ...reporters,
        ...files,
      ],
      { cwd: root, stdio: "inherit" },
    );
    const measured = readTimes(tierTimes);
    rmSync(tierTimes, { force: true });
    Object.assign(fileTimes, measured);
    const slowest = Object.entries(measured)
      .sort((a, b) => b[1] - a[1])
      .slice(0, SLOWEST_SHOWN)
      .map(([f, ms]) => `${path.relative(root, f)} ${(ms / 1000).toFixed(1)} s`);
    if (slowest.length > 0) console.log(`# ${tier} slowest files: ${slowest.join(", ")}`);
  }
  const seconds = (performance.now() - started) / 1000;
  times.push(`${tier} ${seconds.toFixed(1)} s${result.status === 0 ? "" : " (failed)"}`);
  if (result.status !== 0) status = result.status ?? 1;
}
writeFileSync(timesFile, JSON.stringify(fileTimes, null, 1) + "\n");
console.log(`\n# tier wall times: ${times.join(", ")}`);
process.exit(status);
