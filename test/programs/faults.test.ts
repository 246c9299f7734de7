// Faults of threadlens' own (issue 12): the program never outlives threadlens, a failure of
// threadlens is reported and never a silent hang, a program killed by a signal is reported as
// such with everything recorded up to the kill, and the exit codes of DESIGN 8 hold. Every
// program a test starts is bounded (spawn timeout or a bounded wait on its state) and killed
// by pid at the end.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseTrace } from "../../src/protocol/traceTextReader.ts";
import type { Report } from "../../src/protocol/report.ts";
import { processGone, waitUntilGone } from "../adapter/helpers.ts";
import { cli, cliEnv, cliRun, preloadRun, root } from "./cliJson.ts";

const fixtures = "test/fixtures/faults";
const WAIT_MS = 30_000;

const threadlens = (...args: string[]) => cliRun(args);

/** A started CLI, its output so far, and a bounded wait for a line of it. */
function startCli(...args: string[]) {
  const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: cliEnv() });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  // "close": the process has exited and its output has reached its end.
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    ended,
    output: () => ({ stdout, stderr }),
    line: (pattern: RegExp) =>
      waitFor(
        () => pattern.exec(stdout) ?? undefined,
        `${pattern} in the output:\n${stdout}${stderr}`,
      ),
  };
}

/** Polls `probe` (bounded) until it gives a value. */
async function waitFor<T>(probe: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function killAll(...pids: (number | undefined)[]): void {
  for (const pid of pids) {
    if (pid === undefined || processGone(pid)) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
}

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), "threadlens-faults-"));
}

test("kill -9 of the CLI ends the program and the process it started", async () => {
  const run = startCli("run", `${fixtures}/runs-forever.ts`);
  let pids: number[] = [];
  try {
    const match = await run.line(/pids (\d+) (\d+)/);
    pids = [Number(match[1]), Number(match[2])];
    assert.ok(
      pids.every((pid) => !processGone(pid)),
      "both run before the kill",
    );
    run.child.kill("SIGKILL");
    for (const pid of pids) assert.ok(await waitUntilGone(pid, WAIT_MS), `${pid} outlived the CLI`);
  } finally {
    killAll(run.child.pid, ...pids);
  }
});

test("--trace into a missing folder: exit 3 with a message before the program starts", () => {
  const r = threadlens("run", `${fixtures}/nested-clean.ts`, "--trace", "/missing/dir/x.tltrace");
  assert.equal(r.status, 3);
  assert.equal(
    r.stderr,
    "threadlens: cannot write /missing/dir/x.tltrace: no folder /missing/dir\n",
  );
  assert.doesNotMatch(r.stdout, /done/, "the program never ran");
});

test("a recorder that fails is reported and stops the program with exit 3, CLI or not", () => {
  const r = threadlens("run", `${fixtures}/recorder-crash.ts`);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /^threadlens: the recorder failed: byte length of Int32Array/m);
  assert.match(r.stderr, /^threadlens: the program is stopped \(exit 3\)$/m);
  const plain = preloadRun(`${fixtures}/recorder-crash.ts`);
  assert.equal(plain.status, 3, plain.stderr);
  assert.match(plain.stderr, /^threadlens: the recorder failed: byte length of Int32Array/m);
});

test("a trace that cannot be written (full disk): reported, the deadlock check goes on", () => {
  const clean = threadlens("run", `${fixtures}/nested-clean.ts`, "--trace", "/dev/full");
  assert.equal(clean.status, 3, clean.stderr);
  assert.match(clean.stdout, /^done$/m, "the program ran to its end");
  assert.match(
    clean.stderr,
    /^threadlens: cannot write the trace file \/dev\/full: ENOSPC: no space left on device, write; the recording goes on without it$/m,
  );
  const deadlock = threadlens("run", "examples/lockab.ts", "--json", "--trace", "/dev/full");
  assert.equal(deadlock.status, 2, deadlock.stderr);
  const report = JSON.parse(deadlock.stdout) as Report;
  assert.deepEqual(
    report.findings.map((f) => f.kind),
    ["deadlock"],
  );
  assert.match(deadlock.stderr, /cannot write the trace file \/dev\/full: ENOSPC/);
});

test("a program killed by SIGKILL: reported, exit 137, the trace up to the kill says it was cut", async () => {
  const dir = tempDir();
  const trace = path.join(dir, "killed.tltrace");
  const run = startCli("run", `${fixtures}/recorded-then-idle.ts`, "--trace", trace);
  let pid: number | undefined;
  try {
    pid = Number((await run.line(/pid (\d+)/))[1]);
    // The recorder writes as it drains: both nested acquisitions reach the file while the
    // program still runs.
    const read = () => {
      try {
        return readFileSync(trace, "utf8");
      } catch {
        return "";
      }
    };
    await waitFor(
      () => (read().match(/ acquired /g)?.length === 2 ? true : undefined),
      "both acquisitions in the trace",
    );
    process.kill(pid, "SIGKILL");
    const { code } = await run.ended;
    assert.equal(code, 137);
    const { stderr } = run.output();
    assert.match(stderr, /^threadlens: the program was killed by SIGKILL after \d+\.\d s$/m);
    const text = read();
    const lines = text.trimEnd().split("\n");
    assert.match(
      lines.at(-1) ?? "",
      /^# cut short: the program was killed by SIGKILL after \d+\.\d s$/,
    );
    const parsed = parseTrace(text);
    const objects = parsed.meta.flatMap((m) => (m.type === "object" ? [m.name] : []));
    assert.deepEqual(objects.sort(), ["inner", "outer"]);
    assert.equal(parsed.events.filter((e) => e.kind === "acquired").length, 2);
  } finally {
    killAll(run.child.pid, pid);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a trace the recorder closed ends with its own last line, not a cut", () => {
  const dir = tempDir();
  try {
    const trace = path.join(dir, "clean.tltrace");
    const r = threadlens("run", `${fixtures}/nested-clean.ts`, "--trace", trace);
    assert.equal(r.status, 0, r.stderr);
    const lines = readFileSync(trace, "utf8").trimEnd().split("\n");
    assert.equal(lines.at(-1), "# end: the program exited with code 0");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("exit codes of DESIGN 8: the program's own code wins over findings; usage errors are 3", () => {
  const r = threadlens("run", `${fixtures}/exit5-holding.ts`, "--json");
  assert.equal(r.status, 5, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  assert.equal(report.exitCode, 5);
  assert.deepEqual(
    report.findings.map((f) => [f.kind, f.locks]),
    [["lock-held-at-exit", ["held"]]],
  );
  const none = threadlens();
  assert.equal(none.status, 3);
  assert.match(none.stderr, /^threadlens: no command given\nusage:/);
  assert.equal(threadlens("--help").status, 0);
});

test("export into a missing folder: a message and exit 3, no stack trace", () => {
  const r = threadlens(
    "export",
    "--perfetto",
    "test/fixtures/analysis/none.tltrace",
    "/missing/dir/o.json",
  );
  assert.equal(r.status, 3);
  assert.equal(r.stderr, "threadlens: cannot write /missing/dir/o.json: no folder /missing/dir\n");
});

test("a root killed by SIGKILL leaves its socket folder; the next root removes it", async () => {
  const register = path.join(root, "dist/register.mjs");
  const program = spawn(
    process.execPath,
    ["--import", register, path.join(fixtures, "runs-forever.ts")],
    { cwd: root, env: cliEnv(), stdio: ["ignore", "pipe", "inherit"] },
  );
  let stdout = "";
  program.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
  const exited = new Promise((resolve) => program.once("exit", resolve));
  const pids = await waitFor(() => /pids (\d+) (\d+)/.exec(stdout) ?? undefined, "the pids");
  const rootPid = Number(pids[1]);
  const folders = () =>
    readdirSync(tmpdir()).filter((name) => name.startsWith(`threadlens-run-${rootPid}-`));
  try {
    assert.equal(folders().length, 1, "the running root has its folder");
    program.kill("SIGKILL");
    await exited;
    // (Any root that starts now, of a test running beside this one, may already sweep it.)
    // The sweep is part of the recorder's start, which a plain preload makes only when the
    // program first needs it (never, for `-e 0`): this root starts it at once.
    const next = preloadRun("-e", ["0"], { env: { THREADLENS_LAZY_RECORDER: "0" } });
    assert.equal(next.status, 0, next.stderr);
    assert.deepEqual(folders(), []);
  } finally {
    killAll(rootPid, Number(pids[2]));
  }
});
