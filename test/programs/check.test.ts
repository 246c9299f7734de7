// `threadlens check` (DESIGN section 8, static analysis of 5.5) through the real CLI
// (dist/cli.js) as a child process: the JSON report on the fixtures (S1, S1 split across files
// through a helper, `using` guards against withLock callbacks, a helper in a file of its own,
// class fields, a declared order, a Lock re-entered, a clean file), the
// default folder with node_modules/dist/.git skipped, and exit codes 0, 1 and 3.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Finding, Report } from "../../src/protocol/report.ts";
import { lineIn } from "./sourceLines.ts";
import { cliJsonRun, cliRun, root, type CliRun, type JsonRun } from "./cliJson.ts";

const S1 = "test/fixtures/analysis/s1-lockab.ts";
const STATIC = "test/fixtures/static";

const threadlens = (args: readonly string[], cwd = root): CliRun => cliRun(args, { cwd });
const checkJson = (args: readonly string[], cwd = root): JsonRun =>
  cliJsonRun(["check", ...args], { cwd });

function only(report: Report): Finding {
  assert.equal(report.findings.length, 1, JSON.stringify(report.findings, null, 1));
  return report.findings[0] as Finding;
}

/** 1-based line of the `n`th line of `file` (relative to the repository) containing `text`. */
const lineOf = lineIn;

function sites(finding: Finding, role: string): string[] {
  return finding.sites
    .filter((s) => s.role === role)
    .map((s) => `${s.file}:${s.line}`)
    .sort();
}

test("check S1: exit 1, one potential deadlock over lockA/lockB at the four acquisition lines", () => {
  const { status, report } = checkJson([S1]);
  assert.equal(status, 1);
  assert.deepEqual(
    { ...report, findings: [] },
    { version: 1, program: S1, exitCode: null, threads: [], findings: [], droppedEvents: 0 },
  );
  const f = only(report);
  assert.equal(f.kind, "potential-deadlock");
  assert.deepEqual(f.locks, ["lockA", "lockB"]);
  assert.deepEqual(f.threads, []);
  assert.match(f.message, /static analysis/);
  const at = (text: string, n: number): string => `${S1}:${lineOf(S1, text, n)}`;
  assert.deepEqual(
    sites(f, "held"),
    [at("lockA.acquireSync();", 1), at("lockB.acquireSync();", 2)].sort(),
  );
  assert.deepEqual(
    sites(f, "acquires"),
    [at("lockB.acquireSync();", 1), at("lockA.acquireSync();", 2)].sort(),
  );
  const order = f.suggestions.find((s) => s.kind === "global-order");
  assert.equal(order?.edit?.file, S1);
  assert.deepEqual(
    f.suggestions.map((s) => s.kind),
    ["global-order", "acquire-all", "use-rlock", "add-timeout"],
  );
});

test("check S1 split across two files through a helper call: both files' acquisitions", () => {
  const { status, report } = checkJson([`${STATIC}/split`]);
  assert.equal(status, 1);
  const f = only(report);
  assert.deepEqual(f.locks, ["lockA", "lockB"]);
  const first = `${STATIC}/split/first.ts`;
  const second = `${STATIC}/split/second.ts`;
  assert.deepEqual(sites(f, "held"), [
    `${first}:${lineOf(first, "lockA.acquireSync")}`,
    `${second}:${lineOf(second, "lockB.acquire(")}`,
  ]);
  assert.deepEqual(sites(f, "acquires"), [
    `${first}:${lineOf(first, "lockB.acquireSync")}`,
    `${second}:${lineOf(second, "lockA.acquire(")}`,
  ]);
});

test("check using guards against withLock callbacks: the inversion at guards and callbacks", () => {
  const file = `${STATIC}/callbacks.ts`;
  const { status, report } = checkJson([file]);
  assert.equal(status, 1);
  const f = only(report);
  assert.equal(f.kind, "potential-deadlock");
  assert.deepEqual(f.locks, ["lockA", "lockB"]);
  assert.deepEqual(sites(f, "held"), [
    `${file}:${lineOf(file, "withLock(lockB")}`,
    `${file}:${lineOf(file, "lockA.lock()")}`,
  ]);
  assert.deepEqual(sites(f, "acquires"), [
    `${file}:${lineOf(file, "lockB.lock()")}`,
    `${file}:${lineOf(file, "withLock(lockA")}`,
  ]);
});

test("check a helper in another file that never names a lock, called with lockA held", () => {
  const dir = `${STATIC}/helper-files`;
  const { status, report } = checkJson([dir]);
  assert.equal(status, 1);
  const f = only(report);
  assert.deepEqual(f.locks, ["lockA", "lockB"]);
  const at = (name: string, text: string): string =>
    `${dir}/${name}:${lineOf(`${dir}/${name}`, text)}`;
  assert.deepEqual(sites(f, "held"), [
    at("reader.ts", "lockB.acquireSync"),
    at("writer.ts", "lockA.acquireSync"),
  ]);
  assert.deepEqual(sites(f, "acquires"), [
    at("locks.ts", "lockB.acquireSync"),
    at("reader.ts", "lockA.acquireSync"),
  ]);
});

test("check fixtures: class fields, a declared order, a Lock re-entered; each one finding", () => {
  const accounts = only(checkJson([`${STATIC}/accounts.ts`]).report);
  assert.deepEqual(accounts.locks, ["this.lockA", "this.lockB"]);
  const annotated = checkJson([`${STATIC}/annotated.ts`]);
  assert.equal(annotated.status, 1);
  const violation = only(annotated.report);
  assert.equal(violation.kind, "potential-deadlock");
  assert.match(violation.message, /against the declared order accounts < audit/);
  const reentry = only(checkJson([`${STATIC}/reentry.ts`]).report);
  assert.equal(reentry.kind, "self-deadlock");
  assert.ok(reentry.suggestions.find((s) => s.kind === "use-rlock")?.edit, "RLock edit");
});

test("check a clean file: exit 0, no findings; the human report says so", () => {
  const { status, report } = checkJson([`${STATIC}/clean.ts`]);
  assert.equal(status, 0);
  assert.deepEqual(report.findings, []);
  const human = threadlens(["check", `${STATIC}/clean.ts`]);
  assert.equal(human.status, 0);
  assert.match(human.stdout, /no findings/);
  const found = threadlens(["check", S1]);
  assert.equal(found.status, 1);
  assert.match(found.stdout, /WARNING: threadlens: potential-deadlock/);
});

test("check with no path: the current folder, without node_modules, dist and .git", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-check-"));
  try {
    const inversion = readFileSync(path.join(root, S1), "utf8");
    writeFileSync(path.join(dir, "clean.ts"), readFileSync(path.join(root, STATIC, "clean.ts")));
    for (const skipped of ["node_modules/pkg", "dist", ".git"]) {
      mkdirSync(path.join(dir, skipped), { recursive: true });
      writeFileSync(path.join(dir, skipped, "s1.ts"), inversion);
    }
    const clean = checkJson([], dir);
    assert.equal(clean.status, 0);
    assert.equal(clean.report.program, ".");
    assert.deepEqual(clean.report.findings, []);
    mkdirSync(path.join(dir, "src"));
    writeFileSync(path.join(dir, "src", "s1.ts"), inversion);
    const found = checkJson([], dir);
    assert.equal(found.status, 1);
    assert.deepEqual(
      only(found.report).sites.map((s) => s.file),
      ["src/s1.ts", "src/s1.ts", "src/s1.ts", "src/s1.ts"],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("check usage errors exit 3: a missing path, a file that does not parse, an unknown option", () => {
  const missing = threadlens(["check", "no/such/file.ts", "--json"]);
  assert.equal(missing.status, 3);
  assert.equal(missing.stdout, "");
  assert.match(missing.stderr, /cannot find no\/such\/file\.ts/);
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-check-"));
  try {
    const broken = readFileSync(
      path.join(root, "test/fixtures/scenarios/loader/syntaxError.ts.txt"),
      "utf8",
    );
    writeFileSync(path.join(dir, "broken.ts"), broken);
    const bad = threadlens(["check", "broken.ts", "--json"], dir);
    assert.equal(bad.status, 3);
    const line = broken.split("\n").findIndex((l) => l.includes("function broken")) + 1;
    assert.match(bad.stderr, new RegExp(`broken\\.ts:${line}:\\d+: .*expected`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const option = threadlens(["check", "--bogus"]);
  assert.equal(option.status, 3);
  assert.match(option.stderr, /unknown option --bogus/);
});
