// The preload's start-up paths (issue 13): a CommonJS JavaScript program runs without the ES
// module hooks' thread and is still recorded (async-mutex's CommonJS build, its workers'
// TypeScript and ES modules); an ES module program gets the hooks when what it imports needs
// them (async-mutex's ES module build), or later, before a dependency that needs them runs;
// and a CommonJS TypeScript file compiled on a cold cache is not mistaken for a hang while
// esbuild's synchronous transform waits for esbuild's own worker.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { cliJsonRun, cliRun, preloadRun, type JsonRun } from "./cliJson.ts";

const fixtures = "test/fixtures/preload";

const runJson = (program: string, env: NodeJS.ProcessEnv = {}, extra: string[] = []): JsonRun =>
  cliJsonRun(["run", program, ...extra], { env });

test("a CommonJS .js program's async-mutex inversion is still a potential deadlock", () => {
  const { status, report } = runJson(`${fixtures}/async-mutex-inversion.js`);
  assert.equal(status, 1);
  assert.deepEqual(
    report.findings.map((f) => [f.kind, f.locks, f.threads]),
    [["potential-deadlock", ["first", "second"], ["main/Promise.all[0]", "main/Promise.all[1]"]]],
  );
  const sites = report.findings[0]?.sites ?? [];
  assert.ok(sites.every((s) => s.file.endsWith(`${fixtures}/async-mutex-inversion.js`)));
  assert.deepEqual(
    sites.map((s) => [s.thread, s.line, s.role]),
    [
      ["main/Promise.all[0]", 12, "held"],
      ["main/Promise.all[0]", 13, "acquires"],
      ["main/Promise.all[1]", 12, "held"],
      ["main/Promise.all[1]", 13, "acquires"],
    ],
  );
});

test("an ES module program's async-mutex inversion (its ES module build) is found", () => {
  const { status, report } = runJson(`${fixtures}/async-mutex-inversion.mjs`);
  assert.equal(status, 1);
  const branch = (i: number) => `main/Promise.all[${i}]@async-mutex-inversion.mjs:16`;
  assert.deepEqual(
    report.findings.map((f) => [f.kind, f.locks, f.threads]),
    [["potential-deadlock", ["first", "second"], [branch(0), branch(1)]]],
  );
  const sites = report.findings[0]?.sites ?? [];
  assert.ok(sites.every((s) => s.file.endsWith(`${fixtures}/async-mutex-inversion.mjs`)));
  assert.deepEqual(
    sites.map((s) => [s.thread, s.line, s.role]),
    [
      [branch(0), 11, "held"],
      [branch(0), 12, "acquires"],
      [branch(1), 11, "held"],
      [branch(1), 12, "acquires"],
    ],
  );
});

/**
 * A program's trace under the CLI: its objects and its events, times, site ids and event-loop
 * idle beats left out.
 */
function tracedRun(program: string): { stdout: string; objects: string[]; events: string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-preload-"));
  try {
    const trace = path.join(dir, "run.tltrace");
    const r = cliRun(["run", program, "--trace", trace]);
    assert.equal(r.status, 0, r.stderr);
    const lines = readFileSync(trace, "utf8").split("\n");
    return {
      stdout: r.stdout,
      objects: lines.flatMap(
        (l) => /^object \d+ (\w+ \S+) site=\d+ (capacity=\d+)/.exec(l)?.slice(1, 3).join(" ") ?? [],
      ),
      events: lines.flatMap((l) => {
        const event = /^[\d.]+ (.*)$/.exec(l)?.[1];
        // An event loop's idle beats come when its watcher looks, which a loaded machine moves.
        if (event === undefined || event.startsWith("loop-idle ")) return [];
        return [event.replace(/site=[1-9]\d*/, "site=S")];
      }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("async-mutex's ES module build, instrumented in place, records what its CommonJS build does", () => {
  const esm = tracedRun(`${fixtures}/async-mutex-uses.mjs`);
  // No module hooks: the program's Mutex is the library's own class, patched.
  assert.equal(esm.stdout, "instrumented in place: true\n");
  const cjs = tracedRun(`${fixtures}/async-mutex-uses.js`);
  assert.equal(cjs.stdout, "instrumented in place: false\n");
  assert.deepEqual(esm.objects, ["Lock account capacity=0", "Semaphore pool capacity=2"]);
  assert.deepEqual(esm.objects, cjs.objects);
  // tryAcquire's and withTimeout's waits are timed (flag), the pool's third unit's is not.
  assert.deepEqual(
    esm.events.filter((e) => e.startsWith("acquire-request")),
    [
      "acquire-request thread=1 object=1 site=0 flag",
      "acquire-request thread=1 object=1 site=0 flag",
      "acquire-request thread=1 object=3 site=S",
    ],
  );
  assert.deepEqual(esm.events, cjs.events);
});

test("an ES module program started without the hooks gets them before a dependency needs them", () => {
  // Its static graph needs nothing of the hooks (test/unit/moduleHooks.test.ts); the CommonJS
  // file it imports loads a TypeScript module with import().
  const { status, report, stderr } = runJson(`${fixtures}/late-main.mjs`);
  assert.equal(status, 0, stderr);
  assert.deepEqual(report.findings, []);
  assert.match(stderr, /typescript loaded late\n/);
});

test("a CommonJS .js program's workers load TypeScript and ES modules with its threadlens", () => {
  const { status, report, stderr } = runJson(`${fixtures}/workers-main.js`);
  assert.equal(status, 0, stderr);
  assert.deepEqual(report.findings, []);
  assert.deepEqual(
    report.threads.map((t) => [t.name, t.kind, t.state]),
    [
      ["main", "main", "exited"],
      ["worker-ts.ts", "worker", "exited"],
      ["worker-esm.mjs", "worker", "exited"],
    ],
  );
  // The Lock crossed into both workers with its identity: the one runtime in every thread.
  assert.match(stderr, /typescript worker took shared\nmodule worker took shared\n/);
});

test("a CommonJS worker gets the preload's CommonJS build, with its threadlens", () => {
  const { status, report, stderr } = runJson(`${fixtures}/workers-cjs-main.js`);
  assert.equal(status, 0, stderr);
  assert.deepEqual(report.findings, []);
  assert.deepEqual(
    report.threads.map((t) => [t.name, t.kind, t.state]),
    [
      ["main", "main", "exited"],
      ["worker-cjs.js", "worker", "exited"],
    ],
  );
  assert.match(stderr, /^worker preload: register\.cjs$/m);
});

test("node:child_process is instrumented when a CommonJS program first requires it", () => {
  const { status, report, stderr } = runJson(`${fixtures}/fork-main.js`);
  assert.equal(status, 0, stderr);
  assert.deepEqual(report.findings, []);
  // The fork is a process of the run: linked, so the root's report names it.
  assert.deepEqual(
    report.threads.map((t) => [t.name, t.kind, t.state]),
    [
      ["main", "main", "exited"],
      ["fork-child", "main", "exited"],
    ],
  );
  assert.match(stderr, /^child preload: true\nchild exited 0$/m);
  const plain = preloadRun(`${fixtures}/loaded-builtins.js`);
  assert.equal(plain.stdout, "child_process loaded: false\nchild_process loaded: true\n");
});

test("a CommonJS .ts file compiled on a cold cache records no wait of esbuild's", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-cold-"));
  try {
    const program = path.join(dir, "cold.ts");
    writeFileSync(
      program,
      `const fs = require("node:fs");\nconst seen: boolean = fs.existsSync(__filename);\nconsole.log("ran", seen, ${Date.now()});\n`,
    );
    const trace = path.join(dir, "cold.tltrace");
    // An empty temporary directory of its own: the compile cache is cold.
    const { status, report, stderr } = runJson(program, { TMPDIR: dir }, ["--trace", trace]);
    assert.equal(status, 0, stderr);
    assert.deepEqual(report.findings, []);
    assert.match(stderr, /ran true/);
    const text = readFileSync(trace, "utf8");
    assert.match(text, /thread-exit thread=1/);
    assert.doesNotMatch(text, /esbuild|Atomics|wait-begin/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a TypeScript module's JSON import with an import attribute, in main and in a Thread's worker", () => {
  const { status, report, stderr } = runJson(`${fixtures}/json-thread.ts`);
  assert.equal(status, 0, stderr);
  assert.deepEqual(report.findings, []);
  assert.deepEqual(
    stderr.split("\n").filter((line) => /^(main|worker):/.test(line)),
    ["main: hello from JSON", "worker: hello from JSON, true"],
  );
});

test("a TypeScript program run by the CLI sees its own entry in process.argv[1], compiled ahead or not", () => {
  for (const precompile of ["1", "0"]) {
    const { status, report, stderr } = runJson(
      `${fixtures}/argv-entry.ts`,
      { THREADLENS_WORKER_PRECOMPILE: precompile },
      ["--", "a", "b"],
    );
    assert.equal(status, 0, stderr);
    assert.deepEqual(report.findings, []);
    assert.deepEqual(
      stderr.split("\n").filter((line) => /^(argv1|main module|variable|args):/.test(line)),
      ["argv1: true", "main module: true", "variable: gone", "args: a,b"],
      `THREADLENS_WORKER_PRECOMPILE=${precompile}`,
    );
  }
});
