// `threadlens explore` under the real CLI (DESIGN 8.1): randomized schedules (PCT, random walk)
// find the deadlock of an async two-task inversion that a plain run never collides, and of a
// worker-thread inversion; the schedule of the failing run replays it with `run --schedule`;
// a correct program explored 50 runs gives exit 0 and no finding; a token made for other code
// says so and runs unscheduled.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Finding, Report } from "../../src/protocol/report.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const cli = path.join(root, "dist/cli.js");
const asyncInversion = "test/fixtures/schedules/async-inversion.ts";
const threadInversion = "test/fixtures/schedules/thread-inversion.ts";
const clean = "test/fixtures/schedules/clean.ts";
const lostUpdate = "test/fixtures/schedules/lost-update.ts";

interface Result {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cliRun(args: readonly string[]): Result {
  const env = { ...process.env };
  delete env["NODE_TEST_CONTEXT"];
  delete env["NODE_OPTIONS"];
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    env,
    encoding: "utf8",
    timeout: 600_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(args: readonly string[]): { status: number | null; report: Report; stderr: string } {
  const [command = "", ...rest] = args;
  const r = cliRun([command, "--json", ...rest]);
  try {
    return { status: r.status, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
  } catch {
    return assert.fail(`no JSON report (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}

function only(report: Report, kind: Finding["kind"]): Finding {
  const found = report.findings.filter((f) => f.kind === kind);
  assert.equal(found.length, 1, `one ${kind} expected: ${JSON.stringify(report.findings)}`);
  return found[0] as Finding;
}

function lineOf(file: string, text: string, n: number): number {
  const lines = readFileSync(path.join(root, file), "utf8").split("\n");
  let seen = 0;
  for (let i = 0; i < lines.length; i++) if (lines[i]?.includes(text) && ++seen === n) return i + 1;
  throw new Error(`${text} not in ${file}`);
}

/** The deadlock of lockA and lockB between first and second, blocked at the second takes. */
function assertInversionDeadlock(report: Report, file: string, take: string, context: string) {
  const d = only(report, "deadlock");
  assert.equal(report.findings.length, 1, context);
  assert.deepEqual([...d.locks].sort(), ["lockA", "lockB"], context);
  assert.deepEqual([...d.threads].sort(), ["first", "second"], context);
  const waits = d.sites
    .filter((s) => s.role === "waits")
    .map((s) => `${s.thread}:${s.line}`)
    .sort();
  assert.deepEqual(
    waits,
    [`first:${lineOf(file, `lockB.${take}`, 1)}`, `second:${lineOf(file, `lockA.${take}`, 2)}`],
    context,
  );
  return d;
}

let asyncSchedule = "";

test("async inversion: a plain run only predicts it; explore finds the deadlock within 50 runs", () => {
  for (let i = 0; i < 3; i++) {
    const plain = json(["run", asyncInversion]);
    assert.equal(plain.status, 1, "a plain run never collides: it only predicts the deadlock");
    only(plain.report, "potential-deadlock");
    assert.equal(plain.report.findings.filter((f) => f.kind === "deadlock").length, 0);
  }
  const { status, report } = json(["explore", asyncInversion]);
  const seed = report.explored?.seed;
  const context = `explore seed ${String(seed)}`;
  assert.equal(status, 2, context);
  const d = assertInversionDeadlock(report, asyncInversion, "acquire()", context);
  assert.equal(report.explored?.strategy, "pct");
  assert.equal(typeof seed, "number");
  const runs = report.explored?.runs ?? 0;
  assert.ok(runs >= 1 && runs <= 50, `${context}: found in run ${runs}`);
  assert.equal(report.explored?.failure, "was stopped: deadlock");
  assert.match(report.schedule ?? "", /^tl1\.[A-Za-z0-9_-]+$/);
  assert.equal(d.schedule, report.schedule);
  asyncSchedule = report.schedule ?? "";
});

test("async inversion: the explored schedule replays the deadlock 10 times out of 10", () => {
  assert.notEqual(asyncSchedule, "", "the explore test ran first");
  for (let i = 0; i < 10; i++) {
    const { status, report } = json(["run", asyncInversion, "--schedule", asyncSchedule]);
    assert.equal(status, 2, `replay ${i + 1}`);
    const d = assertInversionDeadlock(report, asyncInversion, "acquire()", `replay ${i + 1}`);
    assert.equal(d.schedule, asyncSchedule);
    assert.equal(report.explored, undefined);
  }
});

test("random walk with a given seed: finds the async deadlock, says strategy and seed", () => {
  const { status, report } = json([
    "explore",
    asyncInversion,
    "--strategy",
    "random",
    "--seed",
    "7",
  ]);
  assert.equal(status, 2);
  assertInversionDeadlock(report, asyncInversion, "acquire()", "random, seed 7");
  assert.equal(report.explored?.strategy, "random");
  assert.equal(report.explored?.seed, 7);
});

test("thread inversion: explore finds the deadlock and its schedule replays it at least 9 of 10 times", () => {
  const { status, report } = json(["explore", threadInversion]);
  const context = `explore seed ${String(report.explored?.seed)}`;
  assert.equal(status, 2, context);
  assertInversionDeadlock(report, threadInversion, "acquireSync()", context);
  const schedule = report.schedule ?? "";
  assert.match(schedule, /^tl1\./);
  let deadlocked = 0;
  const outcomes: string[] = [];
  for (let i = 0; i < 10; i++) {
    const replay = json(["run", threadInversion, "--schedule", schedule]);
    const kinds = replay.report.findings.map((f) => f.kind).join(",");
    outcomes.push(`${replay.status}:${kinds}`);
    if (replay.status === 2) {
      assertInversionDeadlock(replay.report, threadInversion, "acquireSync()", `replay ${i + 1}`);
      deadlocked++;
    } else {
      // The replays that do not deadlock only predict it: nothing else goes wrong.
      assert.equal(replay.status, 1, `replay ${i + 1}`);
      only(replay.report, "potential-deadlock");
    }
  }
  assert.ok(
    deadlocked >= 9,
    `${context}: ${deadlocked}/10 replays deadlocked: ${outcomes.join(" ")}`,
  );
});

test("a correct program explored 50 runs: exit 0, no finding", () => {
  const { status, report } = json(["explore", clean]);
  const context = `explore seed ${String(report.explored?.seed)}`;
  assert.equal(status, 0, `${context}: ${JSON.stringify(report.findings)}`);
  assert.deepEqual(report.findings, [], context);
  assert.equal(report.explored?.runs, 50);
  assert.equal(report.explored?.strategy, "pct");
  assert.equal(report.explored?.failure, undefined);
  assert.equal(report.schedule, undefined);
});

test("a broken invariant main asserts: explore stops at the run that breaks it (exit 1), replayed", () => {
  const { status, report } = json(["explore", lostUpdate, "--", "main"]);
  const context = `explore seed ${String(report.explored?.seed)}`;
  assert.equal(status, 1, context);
  assert.equal(report.exitCode, 1, context);
  assert.deepEqual(report.findings, [], context);
  assert.equal(report.explored?.failure, "failed with exit code 1", context);
  for (let i = 0; i < 3; i++) {
    const replay = json(["run", lostUpdate, "--schedule", report.schedule ?? "", "--", "main"]);
    assert.equal(replay.status, 1, `replay ${i + 1}`);
    assert.match(replay.stderr, /Error: lost update: counter is 1, expected 2/);
  }
});

test("an uncaught error in a task (the program exits 0): explore reports it, exit 1", () => {
  const plain = json(["run", lostUpdate]);
  assert.equal(plain.status, 0, "a plain run keeps the invariant");
  const { status, report } = json(["explore", lostUpdate]);
  const context = `explore seed ${String(report.explored?.seed)}`;
  assert.equal(status, 1, context);
  assert.equal(report.exitCode, 0, context);
  assert.equal(
    report.explored?.failure,
    "threw in task checker: Error: lost update: counter is 1, expected 2",
    context,
  );
  const replay = json(["run", lostUpdate, "--schedule", report.schedule ?? ""]);
  assert.match(replay.stderr, /Exception in task checker:\nError: lost update: counter is 1/);
});

test("human output: the seed, the failing run and how to replay it", () => {
  const r = cliRun(["explore", asyncInversion, "--seed", "11"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /threadlens explore: up to 50 runs, strategy pct, seed 11/);
  assert.match(r.stderr, /ERROR: threadlens: deadlock/);
  assert.match(
    r.stderr,
    /threadlens explore: run \d+ of 50 \(strategy pct, seed 11\) was stopped: deadlock/,
  );
  assert.match(
    r.stderr,
    /replay it: threadlens run test\/fixtures\/schedules\/async-inversion\.ts --schedule tl1\.[A-Za-z0-9_-]+/,
  );
  assert.equal(r.stdout, "", "the program's own output is not relayed");
});

test("an explored schedule for edited code: says it does not fit and runs unscheduled", () => {
  assert.notEqual(asyncSchedule, "", "the explore test ran first");
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-explore-edited-"));
  try {
    const edited = path.join(dir, "async-inversion.ts");
    copyFileSync(path.join(root, asyncInversion), edited);
    writeFileSync(edited, `${readFileSync(edited, "utf8")}\n// edited\n`);
    const { status, report, stderr } = json(["run", edited, "--schedule", asyncSchedule]);
    assert.match(stderr, /the schedule does not fit async-inversion\.ts: .*running it unscheduled/);
    assert.equal(status, 1, "unscheduled, it only predicts the deadlock");
    only(report, "potential-deadlock");
    assert.equal(report.findings.filter((f) => f.kind === "deadlock").length, 0);
    assert.equal(report.schedule, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("explore usage errors: no program, an unknown strategy, a bad run count (exit 3)", () => {
  const none = cliRun(["explore"]);
  assert.equal(none.status, 3);
  assert.match(none.stderr, /explore needs a program/);
  const strategy = cliRun(["explore", asyncInversion, "--strategy", "dfs"]);
  assert.equal(strategy.status, 3);
  assert.match(strategy.stderr, /--strategy must be one of random, pct, got dfs/);
  const runs = cliRun(["explore", asyncInversion, "--runs", "0"]);
  assert.equal(runs.status, 3);
  assert.match(runs.stderr, /--runs must be a positive integer, got 0/);
});
