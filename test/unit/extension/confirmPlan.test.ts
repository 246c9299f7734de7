// "Confirm by rerunning" without the editor: which diagnostics offer it (and the replay), the
// CLI command line, and the confirm report turned into the outcome and the new diagnostics
// (errors naming the schedule) or the message saying why it could not be confirmed.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Finding, FindingSite, Report } from "../../../src/protocol/report.ts";
import {
  confirmInvocation,
  matchingFinding,
  parseConfirmOutput,
  scheduleActions,
} from "../../../src/extension/confirmPlan.ts";
import { planDiagnostics } from "../../../src/extension/diagnosticPlan.ts";
import { DIAGNOSTIC_CODES } from "../../../src/extension/ids.ts";
import { FINDING_KINDS } from "../../../src/protocol/report.ts";

const CWD = "/ws";
const FILE = "s11-timed.ts";
const TOKEN = "tl1.eyJtb2RlIjoiZGlyZWN0ZWQifQ";

const site = (line: number, thread: string, role: FindingSite["role"]): FindingSite => ({
  file: FILE,
  line,
  column: 11,
  thread,
  role,
});

/** S11's potential deadlock as `threadlens run --confirm --json` reports it. */
const POTENTIAL: Finding = {
  kind: "potential-deadlock",
  message:
    "potential deadlock: lock-order inversion lockA → lockB → lockA: first takes lockB while holding lockA (s11-timed.ts:46); second takes lockA while holding lockB (s11-timed.ts:51)",
  locks: ["lockA", "lockB"],
  threads: ["first", "second"],
  sites: [
    site(45, "first", "held"),
    site(46, "first", "acquires"),
    site(50, "second", "held"),
    site(51, "second", "acquires"),
  ],
  suggestions: [],
};

function report(findings: Finding[]): string {
  const r: Report = {
    version: 1,
    program: FILE,
    exitCode: 0,
    threads: [],
    findings,
    droppedEvents: 0,
  };
  return JSON.stringify(r);
}

const target = { file: "/ws/s11-timed.ts", line: 51, locks: ["lockA", "lockB"] };

describe("scheduleActions: matched on the diagnostic's code", () => {
  test("a potential deadlock, run or static, offers to confirm it", () => {
    assert.deepEqual(scheduleActions(DIAGNOSTIC_CODES["potential-deadlock"], POTENTIAL), [
      "confirm",
    ]);
    assert.deepEqual(scheduleActions(DIAGNOSTIC_CODES["potential-deadlock"], undefined), [
      "confirm",
    ]);
  });

  test("a confirmed one offers the replay instead", () => {
    const confirmed = { ...POTENTIAL, confirmed: true, schedule: TOKEN };
    assert.deepEqual(scheduleActions(DIAGNOSTIC_CODES["potential-deadlock"], confirmed), [
      "replay",
    ]);
  });

  test("one that could not be confirmed may be tried again", () => {
    assert.deepEqual(
      scheduleActions(DIAGNOSTIC_CODES["potential-deadlock"], { ...POTENTIAL, confirmed: false }),
      ["confirm"],
    );
  });

  test("other kinds offer nothing, unless their finding carries a schedule", () => {
    for (const kind of FINDING_KINDS.filter((k) => k !== "potential-deadlock")) {
      assert.deepEqual(scheduleActions(DIAGNOSTIC_CODES[kind], POTENTIAL), [], kind);
    }
    assert.deepEqual(
      scheduleActions(DIAGNOSTIC_CODES.deadlock, { ...POTENTIAL, schedule: TOKEN }),
      ["replay"],
    );
    assert.deepEqual(scheduleActions(undefined, undefined), []);
  });
});

describe("confirmInvocation", () => {
  const base = {
    distDir: "/ext/dist",
    program: "/ws/src/s11-timed.ts",
    cwd: "/ws",
    env: { PATH: "/bin", ELECTRON_RUN_AS_NODE: "1", NODE_OPTIONS: "--inspect", KEEP: "k" },
    execPath: "/usr/bin/node20",
  };

  test("the CLI of dist runs the program relative to the cwd, with --confirm --json", () => {
    const inv = confirmInvocation({ ...base, electron: false });
    assert.equal(inv.command, "/usr/bin/node20");
    assert.deepEqual(inv.args, [
      "/ext/dist/cli.js",
      "run",
      "src/s11-timed.ts",
      "--confirm",
      "--json",
    ]);
    assert.equal(inv.cwd, "/ws");
    assert.deepEqual(inv.env, { PATH: "/bin", KEEP: "k" });
  });

  test("inside Electron it runs under node from PATH", () => {
    assert.equal(confirmInvocation({ ...base, electron: true }).command, "node");
  });
});

describe("parseConfirmOutput", () => {
  test("confirmed: the finding, its schedule, and errors naming it at the four sites", () => {
    const confirmed: Finding = {
      ...POTENTIAL,
      confirmed: true,
      schedule: TOKEN,
      confirmation: { reruns: 1 },
    };
    const outcome = parseConfirmOutput(report([confirmed]), "", 2, target, CWD);
    assert.equal(outcome.type, "confirmed");
    assert.ok(outcome.type === "confirmed");
    assert.equal(outcome.schedule, TOKEN);
    assert.deepEqual(outcome.finding, confirmed);
    const planned = planDiagnostics(outcome.findings, "run", CWD);
    assert.deepEqual(
      planned.map((d) => [d.location.line, d.severity, d.code]),
      [
        [45, "error", "TL002"],
        [46, "error", "TL002"],
        [50, "error", "TL002"],
        [51, "error", "TL002"],
      ],
    );
    assert.equal(
      planned[3]?.message,
      "Confirmed deadlock lockA ↔ lockB: second acquires here while holding another. It " +
        `deadlocked when rerun with a directed schedule (rerun 1); replay it with schedule ${TOKEN}`,
    );
    assert.deepEqual(
      planned[3]?.related.map((r) => r.location.line),
      [45, 46, 50],
    );
  });

  test("a potential deadlock that was not confirmed stays a warning", () => {
    const planned = planDiagnostics([{ ...POTENTIAL, confirmed: false }], "run", CWD);
    assert.deepEqual(
      planned.map((d) => d.severity),
      ["warning", "warning", "warning", "warning"],
    );
    assert.doesNotMatch(planned[0]?.message ?? "", /Confirmed/);
  });

  test("not confirmed: the reruns and the report's reason", () => {
    const reason =
      "while first (holding lockA) was held for 1000 ms, second was waiting on firstDone: the segments are ordered by firstDone, so the cycle cannot close";
    const notConfirmed: Finding = {
      ...POTENTIAL,
      confirmed: false,
      confirmation: { reruns: 1, reason },
    };
    const outcome = parseConfirmOutput(report([notConfirmed]), "", 1, target, CWD);
    assert.deepEqual(outcome, {
      type: "not-confirmed",
      message: `The potential deadlock lockA ↔ lockB (first, second) could not be confirmed: 1 rerun(s) of s11-timed.ts with a directed schedule did not deadlock: ${reason}.`,
    });
  });

  test("a run that does not show the inversion says so", () => {
    const outcome = parseConfirmOutput(report([]), "", 0, target, CWD);
    assert.deepEqual(outcome, {
      type: "not-confirmed",
      message:
        "The potential deadlock could not be confirmed by rerunning s11-timed.ts: a run of it did not take these locks in both orders (is it the program's entry point?).",
    });
  });

  test("no report: the CLI's own message", () => {
    const outcome = parseConfirmOutput(
      "",
      "some program output\nthreadlens: cannot run s11-timed.ts: file not found\n",
      3,
      target,
      CWD,
    );
    assert.deepEqual(outcome, {
      type: "not-confirmed",
      message: "Could not rerun s11-timed.ts: threadlens: cannot run s11-timed.ts: file not found",
    });
  });
});

describe("matchingFinding", () => {
  const other: Finding = {
    ...POTENTIAL,
    locks: ["x", "y"],
    sites: [site(80, "a", "held"), site(81, "a", "acquires")],
  };

  test("by a site at the diagnostic's line (a static warning's columns differ)", () => {
    const found = matchingFinding({ findings: [other, POTENTIAL] }, { ...target, locks: [] }, CWD);
    assert.equal(found, POTENTIAL);
  });

  test("else by the same locks; else the only one; else none", () => {
    const elsewhere = { file: "/ws/s11-timed.ts", line: 3, locks: ["lockB", "lockA"] };
    assert.equal(matchingFinding({ findings: [other, POTENTIAL] }, elsewhere, CWD), POTENTIAL);
    assert.equal(matchingFinding({ findings: [other] }, { ...elsewhere, locks: [] }, CWD), other);
    assert.equal(
      matchingFinding({ findings: [other, { ...other }] }, { ...elsewhere, locks: [] }, CWD),
      undefined,
    );
  });
});
