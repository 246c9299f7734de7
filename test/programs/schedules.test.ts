// Controlled schedules under the real CLI (DESIGN 8.1): `run --confirm` turns S11's predicted
// deadlock into a real one (exit 2, with the schedule), keeps its gate-lock and joined variants
// silent, and says why an Event-ordered cycle cannot close; `run --schedule` replays the
// confirmed schedule every time, and refuses a token made for other code without hanging.
//
// S11's second thread sleeps 1 s in every run, so the runs mostly wait: the cases run at once
// (a suite with concurrency), the runs of a case too; the cases that use the confirmed
// schedule wait for the confirm case's end (`confirmed`), not for a time.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Finding, Report } from "../../src/protocol/report.ts";
import { lineIn } from "./sourceLines.ts";
import { cliJsonRunAsync, cliRunAsync, root, type JsonRun } from "./cliJson.ts";

const s11 = "test/fixtures/schedules/s11-timed.ts";

/** `threadlens <command> --json <rest>`, bounded as reruns on a loaded machine need. */
const threadlens = (...args: string[]): Promise<JsonRun> =>
  cliJsonRunAsync(args, { timeoutMs: 300_000 });

function only(report: Report, kind: Finding["kind"]): Finding {
  const found = report.findings.filter((f) => f.kind === kind);
  assert.equal(found.length, 1, `one ${kind} expected: ${JSON.stringify(report.findings)}`);
  return found[0] as Finding;
}

const lineOf = (text: string, n = 1): number => lineIn(s11, text, n);

/** The schedule the confirm case made ("" if it failed), once that case has ended. */
let confirm: (schedule: string) => void = () => {};
const confirmed = new Promise<string>((resolve) => (confirm = resolve));

/**
 * The replays run at most this many at once: all ten at once would start twenty worker
 * threads together, which on a loaded machine could delay a second thread's start past the
 * hold (5 s), and made the case no faster than two rounds of five.
 */
const REPLAYS_AT_ONCE = 5;

describe("controlled schedules of S11", { concurrency: true }, () => {
  test("S11 timed apart: --confirm makes the predicted deadlock happen (exit 2, confirmed, schedule)", async () => {
    let schedule = "";
    try {
      const [plain, { status, report }] = await Promise.all([
        threadlens("run", s11),
        threadlens("run", s11, "--confirm"),
      ]);
      assert.equal(plain.status, 1, "a plain run only predicts it");
      assert.equal(only(plain.report, "potential-deadlock").confirmed, undefined);
      assert.equal(status, 2);
      const f = only(report, "potential-deadlock");
      assert.equal(f.confirmed, true);
      assert.deepEqual([...f.locks].sort(), ["lockA", "lockB"]);
      assert.deepEqual([...f.threads].sort(), ["first", "second"]);
      assert.match(f.schedule ?? "", /^tl1\.[A-Za-z0-9_-]+$/);
      assert.ok((f.confirmation?.reruns ?? 0) >= 1);
      schedule = f.schedule ?? "";
    } finally {
      confirm(schedule);
    }
  });

  test("S11 replay: --schedule with the confirmed schedule deadlocks 10 times out of 10", async () => {
    const confirmedSchedule = await confirmed;
    assert.notEqual(confirmedSchedule, "", "the confirm test confirmed a schedule");
    const replays: JsonRun[] = [];
    while (replays.length < 10) {
      const round = Math.min(REPLAYS_AT_ONCE, 10 - replays.length);
      replays.push(
        ...(await Promise.all(
          Array.from({ length: round }, () =>
            threadlens("run", s11, "--schedule", confirmedSchedule),
          ),
        )),
      );
    }
    assert.equal(replays.length, 10);
    replays.forEach(({ status, report }, i) => {
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
    });
  });

  test("S11's gate-lock and joined variants stay silent under --confirm", async () => {
    const variants = ["gate", "joined"];
    const runs = await Promise.all(
      variants.map((variant) => threadlens("run", s11, "--confirm", "--", variant)),
    );
    runs.forEach(({ status, report }, i) => {
      assert.equal(status, 0, variants[i]);
      assert.deepEqual(report.findings, [], variants[i]);
    });
  });

  test("a cycle ordered by an Event: --confirm says it could not deadlock and why (exit 1)", async () => {
    const { status, report } = await threadlens("run", s11, "--confirm", "--", "event");
    assert.equal(status, 1);
    const f = only(report, "potential-deadlock");
    assert.equal(f.confirmed, false);
    assert.equal(f.schedule, undefined);
    assert.ok((f.confirmation?.reruns ?? 0) >= 1, "reruns are counted");
    assert.match(f.confirmation?.reason ?? "", /second was waiting on Event firstDone/);
    assert.match(f.confirmation?.reason ?? "", /ordered by Event firstDone/);
  });

  test("--schedule: a damaged token is a usage error; one made for other code runs unscheduled", async () => {
    const bad = await cliRunAsync(["run", s11, "--schedule", "tl1.!!"]);
    assert.equal(bad.status, 3);
    assert.match(bad.stderr, /--schedule: the schedule token is damaged/);
    const confirmedSchedule = await confirmed;
    assert.notEqual(confirmedSchedule, "", "the confirm test confirmed a schedule");
    const dir = mkdtempSync(path.join(tmpdir(), "threadlens-edited-"));
    try {
      const edited = path.join(dir, "s11-timed.ts");
      copyFileSync(path.join(root, s11), edited);
      writeFileSync(edited, `${readFileSync(edited, "utf8")}\n// edited\n`);
      const { status, report, stderr } = await threadlens(
        "run",
        edited,
        "--schedule",
        confirmedSchedule,
      );
      assert.match(stderr, /the schedule does not fit s11-timed\.ts: .*running it unscheduled/);
      assert.equal(status, 1, "unscheduled, it only predicts the deadlock");
      only(report, "potential-deadlock");
      assert.equal(report.schedule, undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
