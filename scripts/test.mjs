// `npm test`'s last step: every test tier, with TypeScript test files loaded by threadlens' own
// preload: unit (test/unit: pure and in-process), programs run as child processes
// (test/programs), the debug adapter driven over DAP (test/adapter), other TypeScript loaders
// and test runners beside the preload (test/compat: ts-node, tsx, @swc-node/register,
// node --test, mocha, tap, vitest, jest, installed once by scripts/corpus-setup.mjs while the
// other tiers' files run, before its own start), and the extension in a real VS Code (test/e2e:
// code-server + chromium, its own harness), which starts beside the node tiers' files once its
// setup and package are ready.
//
// The node tiers share one pool of processes, one test file each (node's test runner in the
// file's own process: `node --import ./dist/register.mjs --test-reporter=… file`), so that a
// tier's last slow file does not leave the cores idle: the next tier's files start beside it.
// The pure unit folders (GROUPED) are the exception: each runs in one process
// (scripts/testGroup.mjs), its files one after another, printed file by file, since a process
// of its own cost each of these files more CPU time than its tests (a node start, the preload,
// the TypeScript compiler for the static analyzer's); THREADLENS_TEST_GROUPS=0 runs them one
// file a process too. Most files of the process tiers wait on their programs more than they
// compute, so the pool runs three files per core (THREADLENS_TEST_CONCURRENCY overrides, e.g. 1
// to debug). Files start slowest first, by their wall times in the last run (kept in
// node_modules/.cache/threadlens/test-times.json), else in a clean checkout's run
// (scripts/test-times.json; new files first of all): a long file started last would leave the
// other slots idle at the end. Each file's output is printed in one piece
// when it ends, with its start in the pool. Every file runs even when others failed, so one run
// shows every failure; each tier's wall time (its first file's start to its last file's end)
// and its slowest files are printed, and those that took the most CPU time; then the CPU time of
// the tiers' processes and the cores it kept busy, and the failed files at the end.
//
// Without arguments (`npm test`) the static checks (typecheck and lint in one process,
// scripts/checks.mjs; the format check) run as jobs of the same pool, beside the test files,
// and the VS Code tier's one-time setup (test/e2e/setup.sh: Debian packages, code-server)
// starts at once in the background: on two cores, run one after the other, they left a core
// idle for a minute.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, setPriority } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

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
/**
 * Folders of pure unit tests (no threads, processes, runtime state or process-wide hooks),
 * each run in one process. A file added to them must not depend on running alone.
 */
const GROUPED = [
  "test/unit/analysis",
  "test/unit/extension",
  "test/unit/protocol",
  "test/unit/schedule",
  "test/unit/static",
];
/**
 * The static checks of `npm test`: the type check and lint in one process, which share one
 * TypeScript program (scripts/checks.mjs: what `npm run typecheck` and `npm run lint` check),
 * and the format check (its package.json script), with Prettier's cache: a file whose text
 * (and Prettier's version and options) passed before is not formatted again (14 s of CPU time
 * for every file, about 1.5 s when few changed; a clean checkout checks them all).
 */
const CHECKS = "checks";
const TYPES_AND_LINT = `${CHECKS}/typecheck+lint`;
const FORMAT = `${CHECKS}/format:check`;
const checkJobs = everything ? [TYPES_AND_LINT, FORMAT] : [];

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

/**
 * Files run at once: three per core. The process tiers' files mostly wait on their programs:
 * with two per core, a clean checkout's `npm test` on two cores kept every slot busy (the
 * files' wall times added up to 703 s, over 4 slots 176 s, for a pool of 181 s) while the node
 * tiers used 264 s of CPU time, 1.46 of the 2 cores. With three per core, once the files that
 * waited one run after another waited for them together, the node tiers' own processes kept
 * 1.78 of the 2 cores busy (233.6 s of CPU time in 131 s), and the machine's cores were busy
 * all along (sampled each second): more files at once would add nothing but load.
 */
function concurrency() {
  const override = Number(process.env.THREADLENS_TEST_CONCURRENCY);
  if (Number.isInteger(override) && override > 0) return override;
  return cores * 3;
}

const reporter = process.stdout.isTTY ? "spec" : "tap";

/**
 * CPU time (s) of the processes this one started and saw end, theirs included (Linux: cutime
 * and cstime of /proc/self/stat, in ticks of 1/100 s); undefined elsewhere. Over the pool's
 * wall time it says how many cores the tiers kept busy: files that mostly wait leave them idle.
 */
function endedChildrenCpu() {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const seconds = (Number(fields[13]) + Number(fields[14])) / 100;
    return Number.isFinite(seconds) ? seconds : undefined;
  } catch {
    return undefined;
  }
}

/** endedChildrenCpu() at the last end of a process this one started. */
let cpuSeen = endedChildrenCpu();
/**
 * At a started process' "exit": its CPU time (s), its own children's included, as the increase
 * since the last end. Processes reaped in one turn of the event loop are counted together, to
 * the first; undefined off Linux.
 */
function cpuOfEnded() {
  const now = endedChildrenCpu();
  const cpu = now === undefined || cpuSeen === undefined ? undefined : now - cpuSeen;
  cpuSeen = now;
  return cpu;
}

/**
 * What the pool runs: a static check, one test file in its own process, or a GROUPED folder's
 * files in one (`group` is the folder).
 */
function jobsOf(files) {
  const grouped = process.env["THREADLENS_TEST_GROUPS"] === "0" ? [] : GROUPED;
  const groups = new Map();
  const jobs = [];
  for (const file of files) {
    const folder = path.dirname(file);
    if (!grouped.includes(folder)) {
      jobs.push({ name: file, files: [file] });
      continue;
    }
    let job = groups.get(folder);
    if (job === undefined) {
      job = { name: folder, files: [], group: folder };
      groups.set(folder, job);
      jobs.push(job);
    }
    job.files.push(file);
  }
  return jobs;
}

/** The command of a job. */
function commandOf(job) {
  const file = job.files[0];
  if (file === TYPES_AND_LINT) return [process.execPath, ["scripts/checks.mjs"]];
  if (file === FORMAT) {
    const cache = ["--cache", "--cache-location", path.join(timesDir, "prettier-cache")];
    return ["npm", ["run", "--silent", file.slice(CHECKS.length + 1), "--", ...cache]];
  }
  if (file.startsWith(`${CHECKS}/`))
    return ["npm", ["run", "--silent", file.slice(CHECKS.length + 1)]];
  const args =
    job.group === undefined
      ? [`--test-reporter=${reporter}`, "--test-reporter-destination=stdout", file]
      : [
          "--test-reporter=./scripts/testGroupReporter.mjs",
          "--test-reporter-destination=stdout",
          "scripts/testGroup.mjs",
          ...job.files,
        ];
  return [process.execPath, ["--import", "./dist/register.mjs", ...args]];
}

/**
 * The environment of the pool's processes: this one's, but for NODE_EXTRA_CA_CERTS. Node reads
 * and parses that bundle at the start of every process (about 40 ms of CPU time each for the
 * system's 140 certificates, where a bare `node -e 0` takes 25), and the tests make no TLS
 * connection: the node tiers start about a thousand processes (the CLI, the programs, the
 * adapters, the runners). The corpus and VS Code setups, which download, keep it.
 */
const jobEnv = { ...process.env, THREADLENS_GROUP_REPORTER: reporter };
delete jobEnv["NODE_EXTRA_CA_CERTS"];

/**
 * The VS Code tier runs beside the node tiers' files (it kept less than half a core busy for
 * its minute and a half, alone after them: `npm test` took over four minutes where the CPU time
 * of all it runs fits in about three on two cores). Its browser and code-server answer a user's
 * keys with deadlines, and the node tiers' files wait on state, not on time: so the pool's
 * processes, and the programs they start, run at a lower priority (a niceness of
 * JOB_NICENESS), and the VS Code tier gets the CPU it asks for first.
 */
const e2eBeside = tiers.includes(E2E);
const JOB_NICENESS = 5;
function yieldToE2e(pid) {
  if (!e2eBeside || pid === undefined) return;
  try {
    setPriority(pid, JOB_NICENESS);
  } catch {
    // it ended already, or the system does not let this lower a priority: the order is all
  }
}

/**
 * Runs `command` with its output collected; resolves when it closed with its output chunks, its
 * exit status (128 for a signal), its start and end, and its CPU time (cpuOfEnded, at its exit).
 * `onSpawn` gets the child as soon as it exists.
 */
function runCollected(command, args, options, onSpawn = () => {}) {
  return new Promise((resolve) => {
    const started = performance.now();
    const output = [];
    const child = spawn(command, args, {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      ...options,
    });
    onSpawn(child);
    child.stdout.on("data", (chunk) => output.push(chunk));
    child.stderr.on("data", (chunk) => output.push(chunk));
    child.on("error", (error) => output.push(Buffer.from(`${String(error)}\n`)));
    let cpu;
    child.on("exit", () => (cpu = cpuOfEnded()));
    child.on("close", (code, signal) =>
      resolve({
        output,
        status: code ?? (signal === null ? 1 : 128),
        code,
        signal,
        started,
        ended: performance.now(),
        cpu,
      }),
    );
  });
}

/** Runs one job in its own process; resolves with its exit status, output and time. */
async function runJob(job) {
  const [command, args] = commandOf(job);
  const { output, status, started, ended, cpu } = await runCollected(
    command,
    args,
    { env: jobEnv },
    (child) => yieldToE2e(child.pid),
  );
  return {
    job,
    file: job.name,
    status,
    output,
    started,
    ended,
    cpu,
    ...verdicts(job, status, output),
  };
}

/**
 * Starts a setup in the background (idempotent; a minute the first time, mostly waiting on the
 * npm registry and apt): the VS Code tier's (test/e2e/setup.sh; test/e2e/run.mjs runs it again,
 * which then only finds everything there, or prints why not as its failure), and the compat
 * tier's corpus (scripts/corpus-setup.mjs; each compat file runs it again, which then fails
 * with its message if it failed). Resolves with its output when it ends.
 */
async function startSetup(command, args) {
  const { output, code, signal } = await runCollected(command, args, {});
  return {
    verdict: code === 0 ? "ok" : `FAILED (${signal ?? `exit ${code}`})`,
    output: Buffer.concat(output),
  };
}

/**
 * Runs `jobs` (slowest first) `limit` at a time; `onDone` gets each result as it ends. A job
 * whose setup is still running (`setupOf(job)`: its promise, or undefined) waits while the jobs
 * after it go first.
 */
async function pool(jobs, limit, onDone, setupOf) {
  const queue = [...jobs];
  const results = [];
  async function worker() {
    while (queue.length > 0) {
      const next = queue.findIndex((j) => setupOf(j) === undefined);
      if (next < 0) {
        await Promise.race(queue.map(setupOf));
        continue;
      }
      const [job] = queue.splice(next, 1);
      const result = await runJob(job);
      results.push(result);
      onDone(result);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

/** The runner's closing counts in a file's output (tap: "# pass 3", spec: "ℹ pass 3"): the last. */
function countsOf(text) {
  const count = (name) => {
    const all = [...text.matchAll(new RegExp(`^(?:#|ℹ) ${name} (\\d+)$`, "gm"))];
    return Number(all.at(-1)?.[1] ?? 0);
  };
  return { tests: count("tests"), pass: count("pass"), fail: count("fail") };
}

/**
 * A job's counts and failed files. A group's output holds one block a file (`# file: <path>`,
 * testGroupReporter.mjs), each with its counts; a file it could not load is named on stderr
 * (testGroup.mjs). A group that failed with no file to blame is failed as a whole.
 */
function verdicts(job, status, output) {
  const text = Buffer.concat(output).toString("utf8");
  if (job.group === undefined)
    return { counts: countsOf(text), failed: status === 0 ? [] : [job.name] };
  const counts = { tests: 0, pass: 0, fail: 0 };
  const failed = new Set();
  for (const block of text.split(/^(?=# file: )/m)) {
    const name = /^# file: (.*)$/m.exec(block)?.[1];
    if (name === undefined) continue;
    const own = countsOf(block);
    for (const key of Object.keys(counts)) counts[key] += own[key];
    if (own.fail > 0 || /^(?:#|ℹ) cancelled [1-9]/m.test(block)) failed.add(name);
  }
  for (const m of text.matchAll(/^# (\S+): cannot load: /gm)) failed.add(m[1]);
  if (status !== 0 && failed.size === 0) failed.add(`${job.name} (its process)`);
  return { counts, failed: [...failed] };
}

const tierOf = (file) =>
  [...tiers, CHECKS].find((t) => file === t || file.startsWith(`${t}/`)) ?? "";

const fileTimes = readTimes(timesFile);
/**
 * Wall times (ms) of a clean checkout's `npm test` (no times kept yet: a CI run), by job name:
 * its files would start in name order, the long ones among the last.
 */
const cleanTimes = readTimes(path.join(root, "scripts/test-times.json"));
/** `jobs` slowest first by their last wall times (ms); jobs without a time come first. */
function slowestFirst(jobs) {
  const time = (j) => fileTimes[path.join(root, j.name)] ?? cleanTimes[j.name] ?? Infinity;
  return [...jobs].sort((a, b) => time(b) - time(a) || a.name.localeCompare(b.name));
}

let status = 0;
const summary = [];
const failedFiles = [];
const nodeTiers = tiers.filter((t) => t !== E2E);
const e2eSetup =
  tiers.includes(E2E) && everything
    ? startSetup("bash", [path.join(root, "test/e2e/setup.sh")])
    : undefined;
/**
 * The extension's .vsix for the VS Code tier, packaged beside the node tiers' files (from a
 * staging folder: scripts/packageVsix.mjs).
 */
const vsix = path.join(timesDir, "threadlens.vsix");
function startPackaging() {
  mkdirSync(timesDir, { recursive: true });
  rmSync(vsix, { force: true });
  return startSetup(process.execPath, [path.join(root, "scripts/packageVsix.mjs"), vsix]);
}
const e2ePackage = tiers.includes(E2E) && everything ? startPackaging() : undefined;
const poolStart = performance.now();

/**
 * The VS Code tier (test/e2e/run.mjs), started once its setup and package are ready; resolves
 * with its output (the setup's and package's verdicts first), exit status, times and CPU time.
 */
async function runE2e() {
  const output = [];
  if (e2eSetup !== undefined) {
    const setup = await e2eSetup;
    output.push(`\n# e2e setup (test/e2e/setup.sh, beside the node tiers): ${setup.verdict}\n`);
    output.push(setup.output);
  }
  // run.mjs packages the extension itself when this did not.
  const packaged = e2ePackage === undefined ? undefined : await e2ePackage;
  if (packaged !== undefined) {
    output.push(`\n# e2e package (vsce, beside the node tiers): ${packaged.verdict}\n`);
    if (packaged.verdict !== "ok") output.push(packaged.output);
  }
  output.push(
    "\n# e2e tier: the packaged extension in code-server 4.100.3 (test/e2e/run.mjs), " +
      "beside the node tiers\n",
  );
  const run = await runCollected(process.execPath, [path.join(root, "test/e2e/run.mjs")], {
    env: packaged?.verdict === "ok" ? { ...process.env, THREADLENS_E2E_VSIX: vsix } : process.env,
  });
  e2eCpu = run.cpu;
  return { ...run, output: Buffer.concat([...output.map((o) => Buffer.from(o)), ...run.output]) };
}
/** The VS Code tier's CPU time once it ended (s): not the node tiers'. */
let e2eCpu;
const e2eRun = tiers.includes(E2E) ? runE2e() : undefined;
/** The compat tier's corpus, installed beside the other tiers' first files. */
let corpusSetup =
  nodeTiers.includes(COMPAT) && testFiles(path.join(root, COMPAT)).length > 0
    ? startSetup(process.execPath, [path.join(root, "scripts/corpus-setup.mjs")]).then((r) => {
        process.stdout.write(`\n# corpus setup (scripts/corpus-setup.mjs): ${r.verdict}\n`);
        process.stdout.write(r.output);
        corpusSetup = undefined;
      })
    : undefined;
const files = [...checkJobs, ...nodeTiers.flatMap((t) => testFiles(path.join(root, t)))];
const jobs = slowestFirst(jobsOf(files));
if (files.length > 0) {
  const limit = concurrency();
  const jobTiers = checkJobs.length > 0 ? [CHECKS, ...nodeTiers] : nodeTiers;
  const counts = jobTiers.map((t) => `${t} ${files.filter((f) => tierOf(f) === t).length}`);
  const groups = jobs.filter((j) => j.group !== undefined);
  const inGroups = groups.reduce((n, j) => n + j.files.length, 0);
  console.log(
    `# node tiers: ${counts.join(", ")} files (${inGroups} of them in ${groups.length} ` +
      `processes, one a folder), ${limit} processes at a time`,
  );
  const started = poolStart;
  const results = await pool(
    jobs,
    limit,
    (r) => {
      const seconds = ((r.ended - r.started) / 1000).toFixed(1);
      const verdict = r.failed.length === 0 ? "ok" : `FAILED (exit ${r.status})`;
      const what = r.job.group === undefined ? r.file : `${r.file}/ (${r.job.files.length} files)`;
      const from = ((r.started - started) / 1000).toFixed(1);
      const cpu = r.cpu === undefined ? "" : `, ${r.cpu.toFixed(1)} s CPU`;
      process.stdout.write(`\n# ${what}: ${verdict}, ${seconds} s (from ${from} s)${cpu}\n`);
      process.stdout.write(Buffer.concat(r.output));
      if (r.job.group !== undefined && r.failed.length > 0)
        process.stdout.write(`# ${r.file}/ failed: ${r.failed.join(", ")}\n`);
    },
    (job) => (tierOf(job.name) === COMPAT ? corpusSetup : undefined),
  );
  await corpusSetup;
  const wall = (performance.now() - started) / 1000;
  const allSeconds = wall.toFixed(1);
  const ended = endedChildrenCpu();
  const cpu = ended === undefined ? undefined : ended - (e2eCpu ?? 0);
  const totals = { tests: 0, pass: 0, fail: 0 };
  for (const r of results) {
    for (const key of Object.keys(totals)) totals[key] += r.counts[key];
  }
  console.log(
    `\n# node tiers: ${totals.tests} tests, ${totals.pass} passed, ${totals.fail} failed`,
  );
  if (cpu !== undefined) {
    console.log(
      `# node tiers: ${cpu.toFixed(1)} s of CPU time (their processes, and the setups that ended; ` +
        `not the e2e tier) in ${allSeconds} s: ${(cpu / wall).toFixed(2)} of ${cores} cores busy`,
    );
  }
  mkdirSync(timesDir, { recursive: true });
  for (const r of results) fileTimes[path.join(root, r.file)] = Math.round(r.ended - r.started);
  writeFileSync(timesFile, JSON.stringify(fileTimes, null, 1) + "\n");
  for (const tier of jobTiers) {
    const own = results.filter((r) => tierOf(r.file) === tier);
    if (own.length === 0) continue;
    const from = Math.min(...own.map((r) => r.started));
    const to = Math.max(...own.map((r) => r.ended));
    const failed = own.filter((r) => r.failed.length > 0);
    failedFiles.push(...failed.flatMap((r) => r.failed));
    if (failed.length > 0) status = 1;
    const slowest = [...own]
      .sort((a, b) => b.ended - b.started - (a.ended - a.started))
      .slice(0, SLOWEST_SHOWN)
      .map((r) => `${r.file} ${((r.ended - r.started) / 1000).toFixed(1)} s`);
    console.log(`# ${tier} slowest files: ${slowest.join(", ")}`);
    const busiest = own
      .filter((r) => r.cpu !== undefined)
      .sort((a, b) => b.cpu - a.cpu)
      .slice(0, SLOWEST_SHOWN)
      .map((r) => `${r.file} ${r.cpu.toFixed(1)} s`);
    if (busiest.length > 0) console.log(`# ${tier} most CPU time: ${busiest.join(", ")}`);
    summary.push(
      `${tier} ${((to - from) / 1000).toFixed(1)} s${failed.length > 0 ? " (failed)" : ""}`,
    );
  }
  summary.push(`node tiers together ${allSeconds} s`);
}
if (e2eRun !== undefined) {
  const e2e = await e2eRun;
  process.stdout.write(e2e.output);
  const failed = e2e.status !== 0;
  if (failed) {
    status = e2e.status;
    failedFiles.push(E2E);
  }
  const seconds = ((e2e.ended - e2e.started) / 1000).toFixed(1);
  const from = ((e2e.started - poolStart) / 1000).toFixed(1);
  const cpu = e2e.cpu === undefined ? "" : `, ${e2e.cpu.toFixed(1)} s CPU`;
  summary.push(`${E2E} ${seconds} s (from ${from} s${cpu})${failed ? " (failed)" : ""}`);
}
console.log(`\n# tier wall times: ${summary.join(", ")}`);
if (failedFiles.length > 0) console.log(`# failed: ${failedFiles.join(", ")}`);
process.exit(status);
