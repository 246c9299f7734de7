// `npm run bench:realworld`: the real-world corpus (issues 11 and 13). Popular npm packages
// that use worker threads, Atomics or async locks, installed from the registry at pinned
// versions (scripts/corpus-setup.mjs, into .corpus-cache/; never copied into the repository):
// the own published test suites of piscina, thread-stream, sonic-boom and atomic-sleep,
// programs of ours that use the other packages the way their READMEs show
// (bench/realworld/programs), and small correct programs of the shapes of issue 11
// (bench/realworld/shapes). Each runs plain and under the preload, interleaved, 3
// times; per entry it prints tests passed/total both ways, the findings threadlens printed
// (kind and message: on this correct code every one is a false alarm) and the wall-time ratio
// of the medians, and the CPU-time ratio (user + system of every thread and child process, which
// moves far less than wall time when other programs share the machine).
//
//   [BENCH_PRELOAD=<build>/dist/register.mjs] node bench/realworld/realworld.bench.mjs [--runs N]
//     [--only name,...] [--all-piscina] [--json]
import { cpSync, readFileSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PINNED, cacheDir, ensureCorpus } from "../../scripts/corpus-setup.mjs";
import { caCertsNote, spawnTimed } from "../cpuTime.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(path.dirname(here));
// BENCH_PRELOAD: another build's register.mjs, to compare two builds with the same corpus.
const register = path.resolve(process.env.BENCH_PRELOAD ?? path.join(root, "dist/register.mjs"));
const workDir = path.join(cacheDir, "realworld");
const modules = path.join(cacheDir, "node_modules");

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : process.argv[i + 1];
}
const RUNS = Number(option("--runs", "3"));
const ONLY = option("--only", "")
  .split(",")
  .filter((s) => s !== "");
const JSON_OUT = process.argv.includes("--json");

// piscina's published suite (node:test through tsx, as its scripts/run-tests.js runs it). By
// default the files about its pool, workers, queues and Atomics wake-ups (a few minutes);
// --all-piscina runs every file but those that need what the package does not ship
// (console-log: its fixture's output capture; nice: @napi-rs/nice) or measure this machine
// (histogram: latency percentiles; test-resourcelimits: workers run out of memory on purpose).
const PISCINA_DEFAULT = [
  "abort-task",
  "atomics-optimization",
  "messages",
  "move-test",
  "pool-close",
  "pool-destroy",
  "post-task",
  "simple-test",
  "task-queue",
  "thread-count",
  "workers",
];
const PISCINA_SKIPPED = ["console-log", "nice", "histogram", "test-resourcelimits"];
const ALL_PISCINA = process.argv.includes("--all-piscina");

// Other packages' own published suites, run from the installed package: node:test files by
// node --test (as borp, thread-stream's and sonic-boom's runner, does; borp itself wants Node
// 22), atomic-sleep's tape file by node (tape prints TAP).
const NODE_TEST = ["--test", "--test-reporter=tap", "--test-concurrency=1"];
const OWN_SUITES = [
  {
    // pino's worker transport: a SharedArrayBuffer ring between main and a worker, with
    // Atomics.wait/notify both ways (flushSync, end), workers killed, crashed and collected.
    name: "thread-stream",
    dir: "test",
    pattern: /\.test\.m?js$/,
    // Left out: what needs its repository's build or dev setup, which the tarball does not ship:
    // test/ts/to-file.ts compiled by its transpile script (transpiled; esm, 6 of its 8: each
    // waits 10 s for a worker that cannot load its file) or type-checked by ts-node with
    // @types/node (ts-node-fallback; under the preload that worker would load it through
    // threadlens' own TypeScript hooks instead, and pass).
    skipped: ["transpiled", "esm", "ts-node-fallback"],
    node: ["--expose-gc", ...NODE_TEST],
  },
  {
    // pino's file writer: atomic-sleep (Atomics.wait on main) while the fd is busy (EAGAIN).
    // Its three "write enormously large buffers" tests are most of its time (30 s).
    name: "sonic-boom",
    dir: "test",
    pattern: /\.test\.js$/,
    skipped: [],
    node: NODE_TEST,
  },
  {
    // A timed Atomics.wait on main, measured to 10 ms.
    name: "atomic-sleep",
    dir: ".",
    pattern: /^test\.js$/,
    skipped: [],
    node: [],
  },
];

/** An own suite's test files, relative to its package. */
function suiteFiles(packageDir, suite) {
  return readdirSync(path.join(packageDir, suite.dir))
    .filter((f) => suite.pattern.test(f))
    .filter((f) => !suite.skipped.includes(f.replace(/\.test\.m?js$/, "")))
    .sort()
    .map((f) => path.join(suite.dir, f));
}

/** The corpus: one entry per package or shape. */
function corpus() {
  const entries = [];
  const piscinaDir = path.join(modules, "piscina");
  const files = readdirSync(path.join(piscinaDir, "test"))
    .filter((f) => f.endsWith(".test.ts"))
    .filter((f) => {
      const name = f.replace(/\.test\.ts$/, "");
      return ALL_PISCINA ? !PISCINA_SKIPPED.includes(name) : PISCINA_DEFAULT.includes(name);
    })
    .sort()
    .map((f) => `test/${f}`);
  entries.push({
    name: "piscina",
    version: PINNED.piscina,
    what: `its own tests (${files.length} files, node --test via tsx)`,
    cwd: piscinaDir,
    loader: ["--import", path.join(modules, "tsx/dist/loader.mjs")],
    args: ["--test", "--test-reporter=tap", "--test-concurrency=1", ...files],
  });
  for (const suite of OWN_SUITES) {
    const cwd = path.join(modules, suite.name);
    const files = suiteFiles(cwd, suite);
    entries.push({
      name: suite.name,
      version: PINNED[suite.name],
      what: `its own tests (${files.length} file${files.length === 1 ? "" : "s"})`,
      cwd,
      loader: [],
      args: [...suite.node, ...files],
    });
  }
  for (const file of readdirSync(path.join(workDir, "programs")).sort()) {
    if (!file.endsWith(".test.mjs")) continue;
    const name = file.replace(/\.test\.mjs$/, "");
    entries.push({
      name,
      version: PINNED[name],
      what: "our program using it as its README shows",
      cwd: path.join(workDir, "programs"),
      loader: [],
      args: ["--test-reporter=tap", file],
    });
  }
  for (const file of readdirSync(path.join(workDir, "shapes")).sort()) {
    if (!file.endsWith(".test.mjs")) continue;
    entries.push({
      name: `shape: ${file.replace(/\.test\.mjs$/, "")}`,
      version: "",
      what: "a correct program of an issue-11 shape",
      cwd: path.join(workDir, "shapes"),
      loader: [],
      args: ["--test-reporter=tap", file],
    });
  }
  return entries.filter((e) => ONLY.length === 0 || ONLY.some((o) => e.name.includes(o)));
}

function cleanEnv() {
  const env = { ...process.env, NO_COLOR: "1" };
  for (const key of ["NODE_OPTIONS", "NODE_TEST_CONTEXT", "FORCE_COLOR", "THREADLENS_RECORD"])
    delete env[key];
  return env;
}

function runOnce(entry, preload) {
  const args = [...entry.loader, ...(preload ? ["--import", register] : []), ...entry.args];
  const start = performance.now();
  const r = spawnTimed(process.execPath, args, {
    cwd: entry.cwd,
    env: cleanEnv(),
    encoding: "utf8",
    timeout: 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = performance.now() - start;
  const output = `${r.stdout}\n${r.stderr}`;
  return {
    ms,
    cpuMs: r.cpuMs,
    status: r.status,
    output,
    tests: testCounts(output),
    findings: findingsOf(output),
  };
}

/** node:test's TAP summary (the last one: `--test` prints one for all files). */
function testCounts(output) {
  const last = (re) => {
    const all = [...output.matchAll(re)];
    return all.length === 0 ? undefined : Number(all[all.length - 1][1]);
  };
  // tape pads its counts: `# pass  8`.
  return { pass: last(/^# pass +(\d+)$/gm), total: last(/^# tests +(\d+)$/gm) };
}

/**
 * The findings of threadlens' human report (humanReport.ts: a rule line, then
 * `WARNING: threadlens: <kind>`, then the message), wherever a test runner put that stderr
 * (node --test shows a child's stderr as `# ` comment lines).
 */
function findingsOf(output) {
  const lines = output.split("\n").map((l) => l.replace(/^\s*#\s?/, ""));
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(?:WARNING|ERROR): threadlens: (\S+)$/.exec(lines[i].trim());
    if (m !== null) found.push({ kind: m[1], message: (lines[i + 1] ?? "").trim() });
  }
  return found;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function measure(entry) {
  const plain = [];
  const preload = [];
  for (let i = 0; i < RUNS; i++) {
    plain.push(runOnce(entry, false));
    preload.push(runOnce(entry, true));
  }
  const findings = new Map();
  for (const run of preload)
    for (const f of run.findings) findings.set(`${f.kind}\0${f.message}`, f);
  const plainMs = median(plain.map((r) => r.ms));
  const preloadMs = median(preload.map((r) => r.ms));
  const plainCpu = median(plain.map((r) => r.cpuMs));
  const preloadCpu = median(preload.map((r) => r.cpuMs));
  return {
    name: entry.name,
    version: entry.version,
    what: entry.what,
    plain: { tests: plain[0].tests, statuses: plain.map((r) => r.status), medianMs: plainMs },
    preload: {
      tests: preload[0].tests,
      statuses: preload.map((r) => r.status),
      medianMs: preloadMs,
    },
    // Counts that differ between runs of the same mode are shown as the worst one.
    passMismatch:
      plain.some((r) => r.tests.pass !== preload[0].tests.pass) ||
      preload.some((r) => r.tests.pass !== plain[0].tests.pass),
    findings: [...findings.values()],
    ratio: preloadMs / plainMs,
    cpu: { plainMs: plainCpu, preloadMs: preloadCpu, ratio: preloadCpu / plainCpu },
    outputs: { plain: plain[0].output, preload: preload.find((r) => r.findings.length)?.output },
  };
}

function fmtTests(t) {
  return `${t.pass ?? "?"}/${t.total ?? "?"}`;
}

function main() {
  ensureCorpus();
  rmSync(workDir, { recursive: true, force: true });
  for (const dir of ["programs", "shapes"])
    cpSync(path.join(here, dir), path.join(workDir, dir), { recursive: true });
  const version = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).version;
  const results = [];
  if (!JSON_OUT)
    console.log(
      `real-world corpus: plain node vs node --import threadlens/register (threadlens ${version}, ` +
        `${process.version}), median of ${RUNS} interleaved runs; ${caCertsNote()}\n`,
    );
  for (const entry of corpus()) {
    const r = measure(entry);
    results.push(r);
    if (JSON_OUT) continue;
    const label = r.version === "" ? r.name : `${r.name}@${r.version}`;
    console.log(
      `${label.padEnd(34)} tests ${fmtTests(r.plain.tests).padStart(7)} plain, ` +
        `${fmtTests(r.preload.tests).padStart(7)} preload${r.passMismatch ? " (DIFFERENT)" : ""}; ` +
        `${(r.plain.medianMs / 1000).toFixed(2)} s vs ${(r.preload.medianMs / 1000).toFixed(2)} s: ` +
        `${r.ratio.toFixed(2)}x; cpu ${(r.cpu.plainMs / 1000).toFixed(2)} s vs ` +
        `${(r.cpu.preloadMs / 1000).toFixed(2)} s: ${r.cpu.ratio.toFixed(2)}x; ` +
        `findings: ${r.findings.length}`,
    );
    for (const f of r.findings)
      console.log(`    ${f.message.startsWith(f.kind) ? "" : `${f.kind}: `}${f.message}`);
  }
  const ratios = results.map((r) => r.ratio);
  const summary = {
    entries: results.length,
    findings: results.reduce((n, r) => n + r.findings.length, 0),
    passMismatches: results.filter((r) => r.passMismatch).map((r) => r.name),
    medianRatio: median(ratios),
    maxRatio: Math.max(...ratios),
    medianCpuRatio: median(results.map((r) => r.cpu.ratio)),
    maxCpuRatio: Math.max(...results.map((r) => r.cpu.ratio)),
  };
  if (JSON_OUT) {
    console.log(JSON.stringify({ results, summary }, null, 2));
    return;
  }
  console.log(
    `\n${summary.entries} entries: ${summary.findings} findings, ` +
      `${summary.passMismatches.length} with different pass counts` +
      `${summary.passMismatches.length ? ` (${summary.passMismatches.join(", ")})` : ""}; ` +
      `wall-time ratio median ${summary.medianRatio.toFixed(2)}x, max ${summary.maxRatio.toFixed(2)}x; ` +
      `CPU-time ratio median ${summary.medianCpuRatio.toFixed(2)}x, max ${summary.maxCpuRatio.toFixed(2)}x ` +
      `(goals of issue 13: median <= 1.3x, none above 1.6x)`,
  );
}

main();
