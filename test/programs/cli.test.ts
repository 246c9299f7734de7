// `threadlens run` on the acceptance scenarios (shared/SCENARIOS.md S1, S2, S5, S6, S7, S9,
// S11, S12, S13): each fixture runs under the real CLI (dist/cli.js) as a child process, and the
// JSON report is checked for the exact finding kind, primitives, threads and TypeScript lines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Finding, Report } from "../../src/protocol/report.ts";
import { cliJsonRun, cliRun, preloadRun, root, type CliRun, type JsonRun } from "./cliJson.ts";
import { lineIn } from "./sourceLines.ts";

const fixtures = "test/fixtures/analysis";

const threadlens = (...args: string[]): CliRun => cliRun(args);
const runJson = (fixture: string, ...extra: string[]): JsonRun =>
  cliJsonRun(["run", `${fixtures}/${fixture}`, ...extra]);
const lineOf = (fixture: string, text: string, n = 1): number =>
  lineIn(`${fixtures}/${fixture}`, text, n);

function only(report: Report, kind: Finding["kind"]): Finding {
  const found = report.findings.filter((f) => f.kind === kind);
  assert.equal(
    found.length,
    1,
    `one ${kind} finding expected, got ${JSON.stringify(report.findings, null, 1)}`,
  );
  return found[0] as Finding;
}

function siteLines(finding: Finding, role: string): number[] {
  return finding.sites
    .filter((s) => s.role === role)
    .map((s) => s.line)
    .sort((a, b) => a - b);
}

test("S1: five threads, doA/doB: deadlock lockA ↔ lockB with both threads, four sites and the fixes", () => {
  const { status, report } = runJson("s1-lockab.ts");
  assert.equal(status, 2);
  const f = only(report, "deadlock");
  assert.deepEqual([...f.locks].sort(), ["lockA", "lockB"]);
  assert.equal(f.threads.length, 2);
  for (const t of f.threads) assert.match(t, /^worker-[1-5]$/);
  const file = `${fixtures}/s1-lockab.ts`;
  assert.equal(f.sites.length, 4);
  for (const s of f.sites) assert.equal(s.file, file);
  assert.deepEqual(siteLines(f, "holds"), [
    lineOf("s1-lockab.ts", "lockA.acquireSync();", 1),
    lineOf("s1-lockab.ts", "lockB.acquireSync();", 2),
  ]);
  assert.deepEqual(siteLines(f, "waits"), [
    lineOf("s1-lockab.ts", "lockB.acquireSync();", 1),
    lineOf("s1-lockab.ts", "lockA.acquireSync();", 2),
  ]);
  const order = f.suggestions.find((s) => s.kind === "global-order");
  assert.ok(order, "global-order suggestion");
  assert.equal(order.edit?.file, file);
  const editedLines = (order.edit?.replacements ?? []).map((r) => r.line).sort((a, b) => a - b);
  assert.deepEqual(editedLines, [
    lineOf("s1-lockab.ts", "lockB.acquireSync();", 2),
    lineOf("s1-lockab.ts", "lockA.acquireSync();", 2),
  ]);
  assert.ok(
    f.suggestions.some((s) => s.kind === "use-rlock"),
    "single-RLock alternative",
  );
  assert.equal(report.version, 1);
  assert.equal(report.program, `${fixtures}/s1-lockab.ts`);
  // lockStats: each lock of the cycle held by one cycle thread, the other waiting for it.
  const stats = new Map((report.lockStats ?? []).map((l) => [l.lock, l]));
  for (const lock of ["lockA", "lockB"]) {
    const l = stats.get(lock);
    assert.ok(l, `lockStats has ${lock}: ${JSON.stringify(report.lockStats)}`);
    assert.equal(l.kind, "Lock");
    assert.equal(l.holders.length, 1, `${lock} holders`);
    assert.ok(f.threads.includes(l.holders[0] ?? ""), `${lock} is held by a cycle thread`);
    assert.ok(
      l.waiters.some((w) => f.threads.includes(w)),
      `${lock} waited for by the cycle`,
    );
    assert.ok(l.acquisitions >= 1 && l.holdMax > 0 && l.waitMax > 0, JSON.stringify(l));
  }
});

test("run --stats: the lock statistics table after the report, one row per lock", () => {
  const r = threadlens("run", `${fixtures}/s1-lockab.ts`, "--stats");
  assert.equal(r.status, 2);
  const table = r.stderr.slice(r.stderr.indexOf("lock statistics"));
  const lines = table.split("\n");
  assert.match(
    lines[1] ?? "",
    /^lock\s+kind\s+acq\s+contended\s+hold p50\s+p99\s+max\s+wait\s+holder$/,
  );
  for (const lock of ["lockA", "lockB"]) {
    assert.ok(
      lines.some((l) =>
        new RegExp(`^${lock}\\s+Lock\\s+\\d+\\s+\\d+ \\(\\d+%\\).*worker-[1-5]$`).test(l),
      ),
      table,
    );
  }
});

test("S2: RLock taken twice is fine; a plain Lock is a self-deadlock at the second acquire, fixed by RLock", () => {
  const clean = runJson("s2-rlock.ts");
  assert.equal(clean.status, 0);
  assert.deepEqual(clean.report.findings, []);
  const { status, report } = runJson("s2-lock.ts");
  assert.equal(status, 2);
  const f = only(report, "self-deadlock");
  assert.deepEqual(f.locks, ["guard"]);
  assert.deepEqual(f.threads, ["main"]);
  assert.ok(
    f.sites.some(
      (s) => s.role === "waits" && s.line === lineOf("s2-lock.ts", "guard.acquireSync();", 2),
    ),
  );
  const fix = f.suggestions.find((s) => s.kind === "use-rlock");
  assert.ok(fix?.edit, "use-rlock with an edit");
  assert.ok(
    fix.edit.replacements.some(
      (r) => r.line === lineOf("s2-lock.ts", "new Lock()") && r.newText.includes("RLock"),
    ),
  );
});

test("S5: event set/clear/set runs clean; never set is a hang naming the event and every wait site", () => {
  const clean = runJson("s5-event.ts");
  assert.equal(clean.status, 0);
  assert.deepEqual(clean.report.findings, []);
  const { status, report } = runJson("s5-event-never.ts");
  assert.equal(status, 2);
  const f = only(report, "hang");
  assert.ok(f.locks.includes("go"));
  assert.match(f.message, /go/);
  assert.match(f.message, /which no live thread can set/);
  const waits = f.sites.filter(
    (s) => s.role === "waits" && s.line === lineOf("s5-event-never.ts", "go.waitSync()"),
  );
  assert.equal(waits.length, 5);
});

test("S6: BoundedSemaphore released three times: over-release at the third release", () => {
  const { status, report } = runJson("s6-over-release.ts");
  assert.equal(status, 1);
  const f = only(report, "over-release");
  assert.deepEqual(f.locks, ["slots"]);
  assert.deepEqual(siteLines(f, "misuse"), [lineOf("s6-over-release.ts", "slots.release();", 3)]);
});

test("S7: queue with taskDone runs clean; forgetting taskDone is a hang with main blocked in queue.join()", () => {
  const clean = runJson("s7-queue.ts");
  assert.equal(clean.status, 0);
  assert.deepEqual(clean.report.findings, []);
  const { status, report } = runJson("s7-queue.ts", "--", "forget");
  assert.equal(status, 2);
  const f = only(report, "hang");
  assert.ok(f.locks.includes("jobs"));
  assert.match(f.message, /join/);
  assert.match(f.message, /20 unfinished/);
  assert.ok(
    f.sites.some(
      (s) => s.thread === "main" && s.line === lineOf("s7-queue.ts", "await jobs.join()"),
    ),
  );
});

test("S9: Pool.join() before close() is a pool-misuse at its site", () => {
  const { status, report } = runJson("s9-pool-misuse.ts");
  assert.equal(status, 1);
  const f = only(report, "pool-misuse");
  assert.deepEqual(siteLines(f, "misuse"), [lineOf("s9-pool-misuse.ts", "await pool.join()", 1)]);
});

test("S11: an inversion that did not collide is a potential deadlock; not under a gate lock, not when ordered by join", () => {
  const { status, report } = runJson("s11-inversion.ts");
  assert.equal(status, 1);
  const f = only(report, "potential-deadlock");
  assert.deepEqual([...f.locks].sort(), ["lockA", "lockB"]);
  assert.deepEqual([...f.threads].sort(), ["first", "second"]);
  assert.deepEqual(siteLines(f, "acquires"), [
    lineOf("s11-inversion.ts", "lockB.acquireSync();", 1),
    lineOf("s11-inversion.ts", "lockA.acquireSync();", 2),
  ]);
  for (const variant of ["gate", "joined"]) {
    const v = runJson("s11-inversion.ts", "--", variant);
    assert.equal(v.status, 0, variant);
    assert.deepEqual(v.report.findings, [], variant);
  }
});

test("S12: two async tasks taking two locks in opposite order deadlock (not a silent exit)", () => {
  const { status, report } = runJson("s12-tasks.ts");
  assert.equal(status, 2);
  const f = only(report, "deadlock");
  assert.deepEqual([...f.locks].sort(), ["lockA", "lockB"]);
  assert.deepEqual([...f.threads].sort(), ["first", "second"]);
  assert.deepEqual(siteLines(f, "waits"), [
    lineOf("s12-tasks.ts", "await lockB.acquire();", 1),
    lineOf("s12-tasks.ts", "await lockA.acquire();", 2),
  ]);
});

test("S13: main holds L and joins a worker that needs L: deadlock with a join edge", () => {
  const { status, report } = runJson("s13-join.ts");
  assert.equal(status, 2);
  const f = only(report, "deadlock");
  assert.deepEqual(f.locks, ["L"]);
  assert.deepEqual([...f.threads].sort(), ["main", "needsL"]);
  assert.match(f.message, /join/);
  assert.ok(
    f.sites.some(
      (s) =>
        s.thread === "main" &&
        s.role === "waits" &&
        s.line === lineOf("s13-join.ts", "await worker.join()"),
    ),
  );
  assert.ok(
    f.sites.some(
      (s) =>
        s.thread === "needsL" &&
        s.role === "waits" &&
        s.line === lineOf("s13-join.ts", "L.acquireSync()"),
    ),
  );
});

test("exit codes and output: the program's own code, --json keeps stdout for the report, --timeout, start errors", () => {
  const own = runJson("exit5.ts");
  assert.equal(own.status, 5);
  assert.deepEqual(own.report.findings, []);
  assert.equal(own.report.exitCode, 5);
  assert.match(own.stderr, /hello from the program/);
  const plain = threadlens("run", `${fixtures}/exit5.ts`);
  assert.equal(plain.status, 5);
  assert.equal(plain.stdout, "hello from the program\n");
  const timed = runJson("spin.ts", "--timeout", "500");
  assert.equal(timed.status, 2);
  assert.equal(only(timed.report, "hang").kind, "hang");
  const missing = threadlens("run", "test/fixtures/analysis/nope.ts");
  assert.equal(missing.status, 3);
  assert.match(missing.stderr, /cannot find program test\/fixtures\/analysis\/nope\.ts/);
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-cli-"));
  try {
    const broken = path.join(dir, "broken.ts");
    // A text that compiled is not checked again; an edit of it is (the check goes by the text).
    writeFileSync(broken, "const x: number = 1;\n");
    assert.equal(threadlens("run", broken).status, 0);
    assert.equal(threadlens("run", broken).status, 0);
    writeFileSync(broken, "const x: number = (;\n");
    const r = threadlens("run", broken);
    assert.equal(r.status, 3);
    assert.match(r.stderr, /broken\.ts:1:20: Unexpected ";"/);
    // Checked while the program starts: it is stopped, and no report follows the error.
    assert.doesNotMatch(r.stderr, /threadlens: (no findings|\d+ findings?)/);
    const json = threadlens("run", broken, "--json");
    assert.equal(json.status, 3);
    assert.equal(json.stdout, "");
    assert.match(
      json.stderr,
      /^threadlens: TypeScript syntax error: .*broken\.ts:1:20: Unexpected ";"/m,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(threadlens("run").status, 3);
  assert.equal(threadlens("frobnicate").status, 3);
  assert.equal(threadlens("run", `${fixtures}/exit5.ts`, "--timeout", "soon").status, 3);
});

test("--trace keeps the trace, which export --perfetto converts", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-trace-"));
  try {
    const trace = path.join(dir, "s11.tltrace");
    const r = threadlens("run", `${fixtures}/s11-inversion.ts`, "--trace", trace);
    assert.equal(r.status, 1);
    const text = readFileSync(trace, "utf8");
    assert.match(text, /^# threadlens trace 1\n/);
    assert.match(text, /object \d+ Lock lockA /);
    const out = path.join(dir, "s11.json");
    assert.equal(threadlens("export", "--perfetto", trace, out).status, 0);
    const json = JSON.parse(readFileSync(out, "utf8")) as { traceEvents: { name?: string }[] };
    assert.ok(json.traceEvents.some((e) => e.name === "hold lockA"));
    writeFileSync(trace, `${text}bogus line here\n`);
    const bad = threadlens("export", "--perfetto", trace, out);
    assert.equal(bad.status, 3);
    assert.match(bad.stderr, new RegExp(`line ${text.split("\n").length}`));
    assert.ok(existsSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the preload alone (no CLI) prints the report and ends a blocked program with code 2", () => {
  for (const fixture of ["s2-lock.ts", "s12-tasks.ts"]) {
    const r = preloadRun(`${fixtures}/${fixture}`);
    assert.equal(r.status, 2, `${fixture}: ${r.stderr}`);
    assert.match(
      r.stderr,
      fixture === "s2-lock.ts"
        ? /ERROR: threadlens: self-deadlock\n/
        : /ERROR: threadlens: deadlock\n/,
    );
    assert.match(r.stderr, /threadlens: 1 finding\n/);
  }
});

test("a program outside any project that has threadlens gets the CLI's own runtime", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-outside-"));
  try {
    writeFileSync(path.join(dir, "app.ts"), readFileSync(path.join(root, fixtures, "s2-lock.ts")));
    writeFileSync(
      path.join(dir, "app.cts"),
      'const { Lock } = require("threadlens");\nconst l = new Lock("viaRequire");\nl.acquireSync();\nl.acquireSync();\n',
    );
    for (const [file, lock] of [
      ["app.ts", "guard"],
      ["app.cts", "viaRequire"],
    ] as const) {
      const { status, report, stderr } = cliJsonRun(["run", file], { cwd: dir });
      assert.equal(status, 2, `${file}: ${stderr}`);
      assert.deepEqual(only(report, "self-deadlock").locks, [lock]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
