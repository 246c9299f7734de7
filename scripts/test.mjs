// `npm test`'s last step: every test tier, with TypeScript test files loaded by threadlens' own
// preload: unit (test/unit: pure and in-process), programs run as child processes
// (test/programs), the debug adapter driven over DAP (test/adapter), other TypeScript loaders
// and test runners beside the preload (test/compat: ts-node, tsx, @swc-node/register,
// node --test, mocha, tap, vitest, jest, installed once by scripts/corpus-setup.mjs before
// its files start), then the extension in a real VS Code (test/e2e: code-server + chromium,
// its own harness, alone on the machine).
//
// The node tiers share one pool of processes, one test file each (node's test runner in the
// file's own process: `node --import ./dist/register.mjs --test-reporter=… file`), so that a
// tier's last slow file does not leave the cores idle: the next tier's files start beside it.
// Most files of the process tiers wait on their programs more than they compute, so the pool
// runs more files than there are cores (THREADLENS_TEST_CONCURRENCY overrides, e.g. 1 to
// debug). Files start slowest first, by their wall times in the last run (kept in
// node_modules/.cache/threadlens/test-times.json; new files first of all): a long file started
// last would leave the other slots idle at the end. Each file's output is printed in one piece
// when it ends. Every file runs even when others failed, so one run shows every failure; each
// tier's wall time (its first file's start to its last file's end) and its slowest files are
// printed, and the failed files are listed at the end.
//
// Without arguments (`npm test`) the static checks (typecheck, lint, format check) run as jobs
// of the same pool, beside the test files, and the VS Code tier's one-time setup
// (test/e2e/setup.sh: Debian packages, code-server) starts at once in the background: on two
// cores, run one after the other, they left a core idle for a minute.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureCorpus } from "./corpus-setup.mjs";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const E2E = "test/e2e";
const COMPAT = "test/compat";
const everything = process.argv.slice(2).length === 0;
const tiers = (
  !everything
    ? process.argv.slice(2)
    : ["test/unit", "test/programs", "test/adapter", "test/compat", E2E]
).map((t) => t.replace(/\/+$/, ""));
const cores = availableParallelism();
const timesDir = path.join(root, "node_modules/.cache/threadlens");
const timesFile = path.join(timesDir, "test-times.json");
const SLOWEST_SHOWN = 5;
/** The static checks of `npm test`, by their package.json script names. */
const CHECKS = "checks";
const checkJobs = everything
  ? ["typecheck", "lint", "format:check"].map((s) => `${CHECKS}/${s}`)
  : [];

function readTimes(file) {
  try {
    const times = JSON.parse(readFileSync(file, "utf8"));
    return times !== null && typeof times === "object" ? times : {};
  } catch {
    return {};
  }
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

/** Files run at once: twice the cores (the process tiers' files mostly wait on programs). */
function concurrency() {
  const override = Number(process.env.THREADLENS_TEST_CONCURRENCY);
  if (Number.isInteger(override) && override > 0) return override;
  return cores * 2;
}

const reporter = process.stdout.isTTY ? "spec" : "tap";

/** Runs one test file in its own process; resolves with its exit status, output and time. */
function runFile(file) {
  return new Promise((resolve) => {
    const started = performance.now();
    const output = [];
    const [command, args] = file.startsWith(`${CHECKS}/`)
      ? ["npm", ["run", "--silent", file.slice(CHECKS.length + 1)]]
      : [
          process.execPath,
          [
            "--import",
            "./dist/register.mjs",
            `--test-reporter=${reporter}`,
            "--test-reporter-destination=stdout",
            file,
          ],
        ];
    const child = spawn(command, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (chunk) => output.push(chunk));
    child.stderr.on("data", (chunk) => output.push(chunk));
    child.on("error", (error) => output.push(Buffer.from(`${String(error)}\n`)));
    child.on("close", (code, signal) => {
      const ended = performance.now();
      resolve({ file, status: code ?? (signal === null ? 1 : 128), output, started, ended });
    });
  });
}

/**
 * Starts the VS Code tier's setup (idempotent; about a minute the first time, mostly waiting on
 * the npm registry and apt); resolves with its output when it ends. test/e2e/run.mjs runs it
 * again, which then only finds everything there (or prints why not, as its failure).
 */
function startE2eSetup() {
  return new Promise((resolve) => {
    const output = [];
    const child = spawn("bash", [path.join(root, "test/e2e/setup.sh")], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (chunk) => output.push(chunk));
    child.stderr.on("data", (chunk) => output.push(chunk));
    child.on("error", (error) => output.push(Buffer.from(`${String(error)}\n`)));
    child.on("close", (code, signal) =>
      resolve({
        verdict: code === 0 ? "ok" : `FAILED (${signal ?? `exit ${code}`})`,
        output: Buffer.concat(output),
      }),
    );
  });
}

/** Runs `files` (slowest first) `limit` at a time; `onDone` gets each result as it ends. */
async function pool(files, limit, onDone) {
  const queue = [...files];
  const results = [];
  async function worker() {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const result = await runFile(file);
      results.push(result);
      onDone(result);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, files.length) }, worker));
  return results;
}

/** The runner's closing counts in a file's output (tap: "# pass 3", spec: "ℹ pass 3"): the last. */
function countsOf(output) {
  const text = Buffer.concat(output).toString("utf8");
  const count = (name) => {
    const all = [...text.matchAll(new RegExp(`^(?:#|ℹ) ${name} (\\d+)$`, "gm"))];
    return Number(all.at(-1)?.[1] ?? 0);
  };
  return { tests: count("tests"), pass: count("pass"), fail: count("fail") };
}

const tierOf = (file) =>
  [...tiers, CHECKS].find((t) => file === t || file.startsWith(`${t}/`)) ?? "";

const fileTimes = readTimes(timesFile);
/** `files` slowest first by their last wall times (ms); files without a time come first. */
function slowestFirst(files) {
  const time = (f) => fileTimes[path.join(root, f)] ?? Infinity;
  return [...files].sort((a, b) => time(b) - time(a) || a.localeCompare(b));
}

let status = 0;
const summary = [];
const failedFiles = [];
const nodeTiers = tiers.filter((t) => t !== E2E);
const e2eSetup = tiers.includes(E2E) && everything ? startE2eSetup() : undefined;
const files = slowestFirst([
  ...checkJobs,
  ...nodeTiers.flatMap((t) => testFiles(path.join(root, t))),
]);
if (files.length > 0) {
  if (nodeTiers.includes(COMPAT)) {
    try {
      ensureCorpus();
    } catch (error) {
      // Each compat file's own setup fails then too, with this message, as a test failure.
      console.error(String(error));
    }
  }
  const limit = concurrency();
  const jobTiers = checkJobs.length > 0 ? [CHECKS, ...nodeTiers] : nodeTiers;
  const counts = jobTiers.map((t) => `${t} ${files.filter((f) => tierOf(f) === t).length}`);
  console.log(`# node tiers: ${counts.join(", ")} files, ${limit} at a time`);
  const started = performance.now();
  const results = await pool(files, limit, (r) => {
    const seconds = ((r.ended - r.started) / 1000).toFixed(1);
    const verdict = r.status === 0 ? "ok" : `FAILED (exit ${r.status})`;
    process.stdout.write(`\n# ${r.file}: ${verdict}, ${seconds} s\n`);
    process.stdout.write(Buffer.concat(r.output));
  });
  const allSeconds = ((performance.now() - started) / 1000).toFixed(1);
  const totals = { tests: 0, pass: 0, fail: 0 };
  for (const r of results) {
    const counts = countsOf(r.output);
    for (const key of Object.keys(totals)) totals[key] += counts[key];
  }
  console.log(
    `\n# node tiers: ${totals.tests} tests, ${totals.pass} passed, ${totals.fail} failed`,
  );
  mkdirSync(timesDir, { recursive: true });
  for (const r of results) fileTimes[path.join(root, r.file)] = Math.round(r.ended - r.started);
  writeFileSync(timesFile, JSON.stringify(fileTimes, null, 1) + "\n");
  for (const tier of jobTiers) {
    const own = results.filter((r) => tierOf(r.file) === tier);
    if (own.length === 0) continue;
    const from = Math.min(...own.map((r) => r.started));
    const to = Math.max(...own.map((r) => r.ended));
    const failed = own.filter((r) => r.status !== 0);
    failedFiles.push(...failed.map((r) => r.file));
    if (failed.length > 0) status = 1;
    const slowest = [...own]
      .sort((a, b) => b.ended - b.started - (a.ended - a.started))
      .slice(0, SLOWEST_SHOWN)
      .map((r) => `${r.file} ${((r.ended - r.started) / 1000).toFixed(1)} s`);
    console.log(`# ${tier} slowest files: ${slowest.join(", ")}`);
    summary.push(
      `${tier} ${((to - from) / 1000).toFixed(1)} s${failed.length > 0 ? " (failed)" : ""}`,
    );
  }
  summary.push(`node tiers together ${allSeconds} s`);
}
if (tiers.includes(E2E)) {
  const started = performance.now();
  if (e2eSetup !== undefined) {
    const setup = await e2eSetup;
    process.stdout.write(
      `\n# e2e setup (test/e2e/setup.sh, beside the node tiers): ${setup.verdict}\n`,
    );
    process.stdout.write(setup.output);
  }
  console.log("\n# e2e tier: the packaged extension in code-server 4.100.3 (test/e2e/run.mjs)");
  const result = spawnSync(process.execPath, [path.join(root, "test/e2e/run.mjs")], {
    cwd: root,
    stdio: "inherit",
  });
  const failed = result.status !== 0;
  if (failed) {
    status = result.status ?? 1;
    failedFiles.push(E2E);
  }
  summary.push(
    `${E2E} ${((performance.now() - started) / 1000).toFixed(1)} s${failed ? " (failed)" : ""}`,
  );
}
console.log(`\n# tier wall times: ${summary.join(", ")}`);
if (failedFiles.length > 0) console.log(`# failed: ${failedFiles.join(", ")}`);
process.exit(status);
