// RWLock through the real CLI (dist/cli.js): a read/write inversion between two tasks is a
// deadlock, its global-order edit keeps each lock's mode (and `check` of the edited text finds
// no cycle), no acquireAll or one-RLock fix is offered (they would take the sharing away), and
// readers in opposite orders are correct for `run` and `check` alike.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { applyTextEdit } from "../../src/analysis/index.ts";
import { root, threadlensJson } from "./cliJson.ts";

const INVERSION = "test/fixtures/rwlock/read-write-inversion.ts";
const READERS = "test/fixtures/rwlock/readers-inverted.ts";

function lineOf(file: string, text: string): number {
  const lines = readFileSync(path.join(root, file), "utf8").split("\n");
  const i = lines.findIndex((line) => line.includes(text));
  assert.ok(i >= 0, `${text} not in ${file}`);
  return i + 1;
}

test("a read/write inversion of two RWLocks: a deadlock whose order fix keeps each lock's mode", () => {
  const { status, report } = threadlensJson("run", INVERSION);
  assert.equal(status, 2);
  assert.equal(report.findings.length, 1, JSON.stringify(report.findings, null, 1));
  const [f] = report.findings;
  assert.equal(f?.kind, "deadlock");
  assert.deepEqual(f.locks, ["table", "index"]);
  assert.deepEqual(f.threads, ["reindex", "compact"]);
  assert.deepEqual(
    f.sites.map((s) => `${s.thread} ${s.role} ${s.line}`),
    [
      `reindex holds ${lineOf(INVERSION, "await table.acquireRead()")}`,
      `reindex waits ${lineOf(INVERSION, "await index.acquireWrite()")}`,
      `compact holds ${lineOf(INVERSION, "await index.acquireRead()")}`,
      `compact waits ${lineOf(INVERSION, "await table.acquireWrite()")}`,
    ],
  );
  assert.deepEqual(
    f.suggestions.map((s) => s.kind),
    ["global-order", "add-timeout"],
  );
  const edit = f.suggestions[0]?.edit;
  assert.ok(edit !== undefined, "the order fix comes with an edit");
  assert.deepEqual(
    edit.replacements.map((r) => `${r.line}:${r.column} ${r.newText}`),
    [
      `${lineOf(INVERSION, "await index.acquireRead()")}:9 table.acquireWrite`,
      `${lineOf(INVERSION, "await table.acquireWrite()")}:9 index.acquireRead`,
    ],
  );
  // The edited text: both tasks take table before index, each in its own mode; `check` of it
  // finds no cycle where it finds one in the original.
  const original = readFileSync(path.join(root, INVERSION), "utf8");
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-rwlock-"));
  try {
    const edited = path.join(dir, "edited.ts");
    writeFileSync(edited, applyTextEdit(original, edit));
    assert.match(readFileSync(edited, "utf8"), /await table\.acquireWrite\(\);\n\s+await bothRead/);
    assert.equal(threadlensJson("check", edited).report.findings.length, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const checked = threadlensJson("check", INVERSION);
  assert.equal(checked.status, 1);
  assert.deepEqual(
    checked.report.findings.map((c) => [c.kind, [...c.locks].sort()]),
    [["potential-deadlock", ["index", "table"]]],
  );
});

test("readers of two RWLocks in opposite orders: correct for run and check", () => {
  const run = threadlensJson("run", READERS);
  assert.equal(run.status, 0);
  assert.deepEqual(run.report.findings, []);
  const checked = threadlensJson("check", READERS);
  assert.equal(checked.status, 0);
  assert.deepEqual(checked.report.findings, []);
});
