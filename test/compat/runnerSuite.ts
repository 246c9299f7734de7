// The test runners' compatibility tests (runners.test.ts, runnersVitestJest.test.ts, issue 11):
// each runner runs the same suite (test/fixtures/compat/runners) plain, under
// `node --import threadlens/register` and under `threadlens run`, with the same pass counts,
// and no finding on this correct code. The runners are the real packages, installed by
// scripts/corpus-setup.mjs; the suite is copied next to them so that it resolves them.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, rmSync } from "node:fs";
import path from "node:path";
import {
  cacheDir,
  ensureCorpus,
  node,
  pkg,
  plainNode,
  register,
  root,
  threadlensRun,
} from "./corpus.ts";

interface Counts {
  readonly passed: number;
  readonly failed: number;
}

function count(pattern: RegExp, output: string): number {
  return Number(pattern.exec(output)?.[1] ?? 0);
}

// Generous per-test timeouts: a worker's start on a loaded CI machine is not what is tested.
const TIMEOUT_S = 120;

interface Runner {
  /** The program and its arguments (the program's path is what `threadlens run` runs). */
  readonly program: string;
  readonly args: string[];
  /** How `node --import ...` runs it, when not as `node program args`. */
  readonly preloadArgs?: string[];
  readonly counts: (output: string) => Counts;
}

/** The runners, run in the suite folder `suite`. */
const runnersIn = (suite: string): Record<string, () => Runner> => ({
  "node --test": () => ({
    program: "node-test-run.mjs",
    args: [],
    preloadArgs: ["--test", "--test-reporter=tap", "node-test.test.mjs"],
    counts: (out) => ({
      passed: count(/^# pass (\d+)$/m, out),
      failed: count(/^# fail (\d+)$/m, out),
    }),
  }),
  mocha: () => ({
    program: pkg("mocha", "bin/mocha.js"),
    args: ["--reporter", "dot", "--timeout", `${TIMEOUT_S * 1000}`, "mocha.spec.cjs"],
    counts: (out) => ({ passed: count(/(\d+) passing/, out), failed: count(/(\d+) failing/, out) }),
  }),
  tap: () => ({
    program: pkg("tap", "dist/esm/run.mjs"),
    args: ["--reporter=tap", `--timeout=${TIMEOUT_S}`, "--disable-coverage", "tap.test.cjs"],
    counts: (out) => ({
      passed: count(/# \{ total: \d+, pass: (\d+)/, out),
      failed: count(/# \{ total: \d+, pass: \d+, fail: (\d+)/, out),
    }),
  }),
  ...Object.fromEntries(
    ["threads", "forks"].map((pool) => [
      `vitest (${pool} pool)`,
      (): Runner => ({
        program: pkg("vitest", "vitest.mjs"),
        args: ["run", `--pool=${pool}`, `--testTimeout=${TIMEOUT_S * 1000}`, "vitest.test.mjs"],
        counts: (out) => ({
          passed: count(/Tests\s+(?:\d+ failed \| )?(\d+) passed/, out),
          failed: count(/Tests\s+(\d+) failed/, out),
        }),
      }),
    ]),
  ),
  jest: () => ({
    program: pkg("jest", "bin/jest.js"),
    args: [
      "--ci",
      "--rootDir",
      suite,
      "--testMatch",
      "**/jest.test.cjs",
      `--testTimeout=${TIMEOUT_S * 1000}`,
      "--cacheDirectory",
      path.join(suite, ".jest-cache"),
    ],
    counts: (out) => ({
      passed: count(/Tests:.*?(\d+) passed/, out),
      failed: count(/Tests:\s+(\d+) failed/, out),
    }),
  }),
});

const EXPECTED: Counts = { passed: 3, failed: 0 };

/**
 * The tests of the runners `names`, on a copy of the suite of their own (`runners-<group>` in
 * the corpus folder): the two test files that share the runners run at the same time.
 */
export function runnerTests(group: string, names: readonly string[]): void {
  const suite = path.join(cacheDir, `runners-${group}`);
  before(() => {
    ensureCorpus();
    rmSync(suite, { recursive: true, force: true });
    cpSync(path.join(root, "test/fixtures/compat/runners"), suite, { recursive: true });
  });
  const runners = runnersIn(suite);
  for (const name of names) {
    const describe = runners[name];
    if (describe === undefined) throw new Error(`no runner ${name}`);
    runnerTest(name, describe, suite);
  }
}

function runnerTest(name: string, describe: () => Runner, suite: string): void {
  test(`${name}: the same pass counts plain, under the preload and under threadlens run`, () => {
    const runner = describe();
    const plainArgs = runner.preloadArgs ?? [runner.program, ...runner.args];
    const plain = plainNode(plainArgs, suite);
    const plainCounts = runner.counts(plain.stdout + plain.stderr);
    assert.deepEqual(plainCounts, EXPECTED, plain.stdout + plain.stderr);
    assert.equal(plain.status, 0);

    const preloaded = node(["--import", register, ...plainArgs], suite);
    assert.deepEqual(
      runner.counts(preloaded.stdout + preloaded.stderr),
      EXPECTED,
      preloaded.stderr,
    );
    assert.equal(preloaded.status, 0, preloaded.stderr);
    assert.doesNotMatch(preloaded.stderr, /threadlens: \d+ finding/);

    const run = threadlensRun(runner.program, runner.args, suite);
    // Under --json the program's own output goes to stderr.
    assert.deepEqual(runner.counts(run.stderr), EXPECTED, run.stderr);
    assert.deepEqual(run.report.findings, []);
    assert.equal(run.status, 0, run.stderr);
  });
}
