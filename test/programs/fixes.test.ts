// Fixes that fix (DESIGN 5.4, issue 11): an edit a finding offers is re-analysed before it is
// offered, and one that would leave the cycle is withheld. Each edit offered here is applied to
// a copy of the program in a temp dir, and the copy, run again, has no finding.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { applyTextEdit } from "../../src/analysis/sourceEdits.ts";
import type { Finding, Report, Suggestion } from "../../src/protocol/report.ts";
import { lineIn } from "./sourceLines.ts";
import { cliJsonRun, root, type JsonRun } from "./cliJson.ts";

const fixtures = "test/fixtures/precision";

const cliJson = (command: "run" | "check", file: string, cwd = root): JsonRun =>
  cliJsonRun([command, file], { cwd });

const lineOf = (fixture: string, text: string, n = 1): number =>
  lineIn(path.join(fixtures, fixture), text, n);

function only(report: Report): Finding {
  assert.equal(report.findings.length, 1, JSON.stringify(report.findings, null, 2));
  return report.findings[0] as Finding;
}

function suggestion(finding: Finding, kind: Suggestion["kind"]): Suggestion {
  const found = finding.suggestions.find((s) => s.kind === kind);
  return found ?? assert.fail(`no ${kind} in ${JSON.stringify(finding.suggestions, null, 2)}`);
}

/** `use(file, dir)` on a copy of `fixture` with the edit of `s` applied, in a temp dir. */
function inEditedCopy<T>(fixture: string, s: Suggestion, use: (file: string, dir: string) => T): T {
  const edit = s.edit ?? assert.fail(`${s.kind} has no edit`);
  assert.equal(edit.file, `${fixtures}/${fixture}`);
  const source = readFileSync(path.join(root, edit.file), "utf8");
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-fix-"));
  try {
    // "threadlens" is this package there.
    mkdirSync(path.join(dir, "node_modules"));
    symlinkSync(root, path.join(dir, "node_modules", "threadlens"), "dir");
    writeFileSync(path.join(dir, fixture), applyTextEdit(source, edit));
    return use(fixture, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `fixture` with the edit of `s` applied. */
function runEdited(fixture: string, s: Suggestion): { status: number | null; report: Report } {
  return inEditedCopy(fixture, s, (file, dir) => cliJson("run", file, dir));
}

test("adjacent acquisitions: the swap and the acquireAll edits are offered, and each one fixes the run", () => {
  const fixture = "adjacent-inversion.ts";
  const { status, report } = cliJson("run", `${fixtures}/${fixture}`);
  assert.equal(status, 1);
  const potential = only(report);
  assert.equal(potential.kind, "potential-deadlock");
  assert.deepEqual(potential.locks, ["accounts", "audit"]);
  assert.deepEqual(potential.threads, ["debit", "report"]);
  const swap = suggestion(potential, "global-order");
  assert.deepEqual(
    swap.edit?.replacements.map((r) => [r.line, r.newText]),
    [
      [lineOf(fixture, "await audit.acquire()", 2), "accounts"],
      [lineOf(fixture, "await accounts.acquire()", 2), "audit"],
    ],
  );
  const all = suggestion(potential, "acquire-all");
  assert.deepEqual(
    all.edit?.replacements.map((r) => [r.line, r.newText]),
    [
      [lineOf(fixture, 'from "threadlens"'), ", acquireAll"],
      [lineOf(fixture, "await accounts.acquire()"), "await acquireAll([accounts, audit]);"],
      [lineOf(fixture, "await audit.acquire()", 2), "await acquireAll([audit, accounts]);"],
    ],
  );
  for (const fix of [swap, all]) {
    const edited = runEdited(fixture, fix);
    assert.deepEqual(edited.report.findings, [], `${fix.kind}: ${JSON.stringify(edited.report)}`);
    assert.equal(edited.status, 0, fix.kind);
  }
});

test("two Promise.all branches: the global-order edit, applied, leaves no finding", () => {
  const fixture = "branches-potential.ts";
  const { status, report } = cliJson("run", `${fixtures}/${fixture}`);
  assert.equal(status, 1);
  const potential = only(report);
  assert.equal(potential.kind, "potential-deadlock");
  const edited = runEdited(fixture, suggestion(potential, "global-order"));
  assert.deepEqual(edited.report.findings, [], JSON.stringify(edited.report));
  assert.equal(edited.status, 0);
});

test("check withholds a swap edit that would leave a function its callers call both ways inverted; acquireAll is offered", () => {
  const fixture = "swapped-calls.ts";
  const { status, report } = cliJson("check", `${fixtures}/${fixture}`);
  assert.equal(status, 1);
  const potential = only(report);
  assert.equal(potential.kind, "potential-deadlock");
  assert.deepEqual([...potential.locks].sort(), ["alpha", "beta"]);
  const order = suggestion(potential, "global-order");
  assert.equal(order.edit, undefined);
  assert.match(
    order.message,
    /swap the two acquisitions in transfer .*\(no edit: re-analysed, the edited code still takes (alpha and beta|beta and alpha) in both orders\)$/,
  );
  // acquireAll in place of both adjacent pairs (transfer's and audit's) does fix it: the edit
  // is offered, and the edited copy checks clean and runs clean.
  const all = suggestion(potential, "acquire-all");
  assert.deepEqual(
    all.edit?.replacements.map((r) => [r.line, r.newText]),
    [
      [lineOf(fixture, 'from "threadlens"'), ", acquireAll"],
      [lineOf(fixture, "await first.acquire()"), "await acquireAll([first, second]);"],
      [lineOf(fixture, "await beta.acquire()"), "await acquireAll([beta, alpha]);"],
    ],
  );
  const checked = inEditedCopy(fixture, all, (file, dir) => cliJson("check", file, dir));
  assert.deepEqual(checked.report.findings, [], JSON.stringify(checked.report));
  const edited = runEdited(fixture, all);
  assert.deepEqual(edited.report.findings, [], JSON.stringify(edited.report));
  assert.equal(edited.status, 0);
});

test("a task taking both locks on one line: the swap of those two calls is offered, and fixes the run", () => {
  const fixture = "one-line-task.ts";
  const { status, report } = cliJson("run", `${fixtures}/${fixture}`);
  assert.equal(status, 1);
  const potential = only(report);
  assert.equal(potential.kind, "potential-deadlock");
  assert.deepEqual(potential.locks, ["accounts", "audit"]);
  assert.deepEqual(potential.threads, ["debit", "report"]);
  const line = lineOf(fixture, "spawn(async () =>");
  const text = readFileSync(path.join(root, fixtures, fixture), "utf8").split("\n")[line - 1] ?? "";
  const swap = suggestion(potential, "global-order");
  assert.deepEqual(
    swap.edit?.replacements.map((r) => [r.line, r.column, r.newText]),
    [
      [line, text.indexOf("audit.acquire()") + 1, "accounts"],
      [line, text.indexOf("accounts.acquire()") + 1, "audit"],
    ],
  );
  // A timeout is never an edit (it ends the wait, not the cycle), and says so.
  const timeout = suggestion(potential, "add-timeout");
  assert.equal(timeout.edit, undefined);
  assert.match(
    timeout.message,
    /\(a message and not an edit: a timeout ends the wait but not its cause; .* is the program's choice\)$/,
  );
  const edited = runEdited(fixture, swap);
  assert.deepEqual(edited.report.findings, [], JSON.stringify(edited.report));
  assert.equal(edited.status, 0);
});
