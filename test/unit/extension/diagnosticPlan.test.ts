// Findings → diagnostics (the pure half of the extension's diagnostics): severity and code per
// kind, one diagnostic per marked TypeScript site, related information at the other sites,
// paths resolved against the run's working directory.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Finding, FindingKind, FindingSite } from "../../../src/protocol/report.ts";
import {
  findingSummaries,
  planDiagnostics,
  severityOf,
} from "../../../src/extension/diagnosticPlan.ts";
import { DIAGNOSTIC_CODES } from "../../../src/extension/ids.ts";
import { FINDING_KINDS } from "../../../src/protocol/report.ts";

const site = (
  line: number,
  thread: string,
  role: FindingSite["role"],
  lock?: string,
): FindingSite => ({
  file: "src/app.ts",
  line,
  column: 3,
  thread,
  role,
  ...(lock === undefined ? {} : { lock }),
});

const DEADLOCK: Finding = {
  kind: "deadlock",
  message: "deadlock: w1 holds lockA and waits for lockB; w2 holds lockB and waits for lockA",
  locks: ["lockA", "lockB"],
  threads: ["w1", "w2"],
  sites: [
    site(12, "w1", "waits", "lockB"),
    site(10, "w1", "holds", "lockA"),
    site(20, "w2", "waits", "lockA"),
    site(18, "w2", "holds", "lockB"),
    site(26, "", "created"),
  ],
  suggestions: [],
};

function finding(kind: FindingKind): Finding {
  return { ...DEADLOCK, kind, message: kind, sites: [site(5, "w1", "misuse")] };
}

describe("planDiagnostics", () => {
  test("a deadlock: one error per marked site, none at the creation site", () => {
    const planned = planDiagnostics([DEADLOCK], "run", "/work/proj");
    assert.deepEqual(
      planned.map((d) => [d.location.file, d.location.line, d.location.column, d.severity, d.code]),
      [
        ["/work/proj/src/app.ts", 12, 3, "error", "TL001"],
        ["/work/proj/src/app.ts", 10, 3, "error", "TL001"],
        ["/work/proj/src/app.ts", 20, 3, "error", "TL001"],
        ["/work/proj/src/app.ts", 18, 3, "error", "TL001"],
      ],
    );
    assert.deepEqual(
      planned.map((d) => d.message),
      [
        "w1 waits here for lockB, held by w2",
        "w1 holds lockA from here; w2 waits for it",
        "w2 waits here for lockA, held by w1",
        "w2 holds lockB from here; w1 waits for it",
      ],
    );
  });

  test("a self-deadlock's wait names the lock the thread holds itself", () => {
    const self: Finding = {
      ...DEADLOCK,
      kind: "self-deadlock",
      sites: [site(6, "main", "waits", "guard"), site(5, "main", "holds", "guard")],
    };
    assert.deepEqual(
      planDiagnostics([self], "run", "/p").map((d) => d.message),
      ["main waits here for guard, which it holds itself", "main holds guard from here"],
    );
  });

  test("sites without a lock keep the role and the finding's message", () => {
    const [planned] = planDiagnostics([finding("bad-release")], "run", "/p");
    assert.equal(planned?.message, "w1 misuse here: bad-release");
  });

  test("related information points at every other site of the finding", () => {
    const [first] = planDiagnostics([DEADLOCK], "run", "/work/proj");
    assert.deepEqual(first?.related, [
      {
        location: { file: "/work/proj/src/app.ts", line: 10, column: 3 },
        message: "w1 holds lockA from here; w2 waits for it",
      },
      {
        location: { file: "/work/proj/src/app.ts", line: 20, column: 3 },
        message: "w2 waits here for lockA, held by w1",
      },
      {
        location: { file: "/work/proj/src/app.ts", line: 18, column: 3 },
        message: "w2 holds lockB from here; w1 waits for it",
      },
      { location: { file: "/work/proj/src/app.ts", line: 26, column: 3 }, message: "created here" },
    ]);
  });

  test("severity per kind: errors for deadlocks that happened, warnings for the rest", () => {
    const severities = Object.fromEntries(FINDING_KINDS.map((k) => [k, severityOf(k, "run")]));
    assert.deepEqual(severities, {
      deadlock: "error",
      "self-deadlock": "error",
      hang: "error",
      "potential-deadlock": "warning",
      "bad-release": "warning",
      "over-release": "warning",
      "unjoined-thread": "warning",
      "lock-held-at-exit": "warning",
      "pool-misuse": "warning",
    });
    // The static analyzer only predicts: never an error.
    assert.equal(severityOf("deadlock", "static"), "warning");
  });

  test("a stable code per kind, TL and a number, all distinct", () => {
    const codes = FINDING_KINDS.map((k) => planDiagnostics([finding(k)], "run", "/p")[0]?.code);
    assert.deepEqual(
      codes,
      FINDING_KINDS.map((k) => DIAGNOSTIC_CODES[k]),
    );
    assert.equal(new Set(codes).size, FINDING_KINDS.length);
    assert.ok(codes.every((c) => /^TL\d{3}$/.test(c ?? "")));
  });

  test("the same site twice in a finding gives one diagnostic", () => {
    const twice = { ...DEADLOCK, sites: [site(12, "w1", "waits"), site(12, "w1", "holds")] };
    assert.equal(planDiagnostics([twice], "run", "/p").length, 1);
  });

  test("absolute finding paths stay as they are", () => {
    const absolute = {
      ...finding("bad-release"),
      sites: [{ ...site(5, "w1", "misuse"), file: "/elsewhere/b.ts" }],
    };
    assert.equal(planDiagnostics([absolute], "run", "/p")[0]?.location.file, "/elsewhere/b.ts");
  });
});

describe("findingSummaries", () => {
  test("each site labelled with its thread, role and line, located in the cwd", () => {
    const [summary] = findingSummaries([DEADLOCK], "/work/proj");
    assert.equal(summary?.kind, "deadlock");
    assert.deepEqual(summary?.sites[0], {
      label: "w1 waits here (app.ts:12)",
      location: { file: "/work/proj/src/app.ts", line: 12, column: 3 },
    });
    assert.equal(summary?.sites.length, 5);
  });
});
