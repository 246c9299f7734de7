// Controlled schedules under the real CLI (DESIGN 8.1): `run --confirm` turns S11's predicted
// deadlock into a real one (exit 2, with the schedule), keeps its gate-lock and joined variants
// silent, and says why an Event-ordered cycle cannot close; `run --schedule` replays the
// confirmed schedule every time, and refuses a token made for other code without hanging.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Finding, Report } from "../../src/protocol/report.ts";
import { lineIn } from "./sourceLines.ts";
import { cliJsonRun, cliRun, root, type JsonRun } from "./cliJson.ts";

const s11 = "test/fixtures/schedules/s11-timed.ts";

/** `threadlens <command> --json <rest>`, bounded as reruns on a loaded machine need. */
const threadlens = (...args: string[]): JsonRun => cliJsonRun(args, { timeoutMs: 300_000 });

function only(report: Report, kind: Finding["kind"]): Finding {
  const found = report.findings.filter((f) => f.kind === kind);
  assert.equal(found.length, 1, `one ${kind} expected: ${JSON.stringify(report.findings)}`);
  return found[0] as Finding;
}

const lineOf = (text: string, n = 1): number => lineIn(s11, text, n);

let confirmedSchedule = "";

test("S11 timed apart: --confirm makes the predicted deadlock happen (exit 2, confirmed, schedule)", () => {
  const plain = threadlens("run", s11);
  assert.equal(plain.status, 1, "a plain run only predicts it");
  assert.equal(only(plain.report, "potential-deadlock").confirmed, undefined);
  const { status, report } = threadlens("run", s11, "--confirm");
  assert.equal(status, 2);
  const f = only(report, "potential-deadlock");
  assert.equal(f.confirmed, true);
  assert.deepEqual([...f.locks].sort(), ["lockA", "lockB"]);
  assert.deepEqual([...f.threads].sort(), ["first", "second"]);
  assert.match(f.schedule ?? "", /^tl1\.[A-Za-z0-9_-]+$/);
  assert.ok((f.confirmation?.reruns ?? 0) >= 1);
  confirmedSchedule = f.schedule ?? "";
});

test("S11 replay: --schedule with the confirmed schedule deadlocks 10 times out of 10", () => {
  assert.notEqual(confirmedSchedule, "", "the confirm test ran first");
  for (let i = 0; i < 10; i++) {
    const { status, report } = threadlens("run", s11, "--schedule", confirmedSchedule);
    assert.equal(status, 2, `replay ${i + 1}`);
    const d = only(report, "deadlock");
    assert.deepEqual([...d.locks].sort(), ["lockA", "lockB"]);
    assert.deepEqual([...d.threads].sort(), ["first", "second"]);
    const waits = d.sites.filter((s) => s.role === "waits").map((s) => s.line);
    assert.deepEqual(
      waits.sort((a, b) => a - b),
      [lineOf("lockB.acquireSync();", 1), lineOf("lockA.acquireSync();", 2)],
    );
    assert.equal(d.schedule, confirmedSchedule);
  }
});

test("S11's gate-lock and joined variants stay silent under --confirm", () => {
  for (const variant of ["gate", "joined"]) {
    const { status, report } = threadlens("run", s11, "--confirm", "--", variant);
    assert.equal(status, 0, variant);
    assert.deepEqual(report.findings, [], variant);
  }
});

test("a cycle ordered by an Event: --confirm says it could not deadlock and why (exit 1)", () => {
  const { status, report } = threadlens("run", s11, "--confirm", "--", "event");
  assert.equal(status, 1);
  const f = only(report, "potential-deadlock");
  assert.equal(f.confirmed, false);
  assert.equal(f.schedule, undefined);
  assert.ok((f.confirmation?.reruns ?? 0) >= 1, "reruns are counted");
  assert.match(f.confirmation?.reason ?? "", /second was waiting on Event firstDone/);
  assert.match(f.confirmation?.reason ?? "", /ordered by Event firstDone/);
});

test("--schedule: a damaged token is a usage error; one made for other code runs unscheduled", () => {
  const bad = cliRun(["run", s11, "--schedule", "tl1.!!"]);
  assert.equal(bad.status, 3);
  assert.match(bad.stderr, /--schedule: the schedule token is damaged/);
  assert.notEqual(confirmedSchedule, "", "the confirm test ran first");
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-edited-"));
  try {
    const edited = path.join(dir, "s11-timed.ts");
    copyFileSync(path.join(root, s11), edited);
    writeFileSync(edited, `${readFileSync(edited, "utf8")}\n// edited\n`);
    const { status, report, stderr } = threadlens("run", edited, "--schedule", confirmedSchedule);
    assert.match(stderr, /the schedule does not fit s11-timed\.ts: .*running it unscheduled/);
    assert.equal(status, 1, "unscheduled, it only predicts the deadlock");
    only(report, "potential-deadlock");
    assert.equal(report.schedule, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
