// Bounds of the static analysis (issue 12): a per-file time budget for the walk, a time budget
// for re-analysing one file's fix edits, and the nesting guard on the editor's workspace path as
// on `check`'s. Budgets of 0 ms make the outcome exact: nothing is walked or re-analysed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkSources } from "../../../src/analysis/static/index.ts";
import { checkFixEdits } from "../../../src/analysis/static/checkedFixes.ts";
import { TOO_DEEP } from "../../../src/analysis/static/program.ts";
import { WorkspaceAnalysis } from "../../../src/analysis/static/workspace.ts";
import { CWD } from "./helpers.ts";

const LOCKS = 'import { Lock } from "threadlens";\nconst a = new Lock();\nconst b = new Lock();\n';
const INVERSION =
  "export function one() {\n  a.acquireSync();\n  b.acquireSync();\n  b.release();\n  a.release();\n}\n" +
  "export function two() {\n  b.acquireSync();\n  a.acquireSync();\n  a.release();\n  b.release();\n}\n";

function check(files: Record<string, string>, fileBudgetMs?: number) {
  const texts = new Map(Object.entries(files).map(([name, text]) => [`${CWD}/${name}`, text]));
  return checkSources({
    files: [...texts.keys()],
    readFile: (file) => texts.get(file),
    cwd: CWD,
    ...(fileBudgetMs === undefined ? {} : { fileBudgetMs }),
  });
}

test("the walk of a file stops at its time budget and says so; within it, nothing is said", () => {
  const files = { "app.ts": LOCKS + INVERSION };
  const within = check(files);
  assert.deepEqual(within.overBudget, []);
  assert.deepEqual(
    within.findings.map((f) => [f.kind, [...f.locks].sort()]),
    [["potential-deadlock", ["a", "b"]]],
  );
  const spent = check(files, 0);
  assert.deepEqual(spent.overBudget, [`${CWD}/app.ts`]);
  assert.deepEqual(spent.findings, []);
  assert.equal(spent.walks, 0);
});

test("fix edits left when a file's re-analysis budget is spent are withheld, saying why", () => {
  const texts = new Map([[`${CWD}/app.ts`, LOCKS + INVERSION]]);
  const readFile = (file: string): string | undefined => texts.get(file);
  const { findings } = checkSources({ files: [...texts.keys()], readFile, cwd: CWD });
  const withEdits = findings.flatMap((f) => f.suggestions).filter((s) => s.edit !== undefined);
  assert.ok(withEdits.length > 0, "the inversion offers an edit");
  const checked = checkFixEdits(findings, { cwd: CWD, readFile, budgetMs: 0 });
  const suggestions = checked.flatMap((f) => f.suggestions);
  assert.equal(suggestions.length, findings.flatMap((f) => f.suggestions).length);
  assert.ok(suggestions.every((s) => s.edit === undefined));
  for (const s of withEdits) {
    assert.ok(
      suggestions.some(
        (c) =>
          c.message ===
          `${s.message} (no edit: not re-analysed: the 0 s of re-analysis for its file are spent)`,
      ),
      s.message,
    );
  }
});

test("workspace: a file nested too deep is refused at its line, the others analyzed; fixed, it comes back", () => {
  const deep = `${LOCKS}export function deep() {\n${"{".repeat(1500)}a.acquireSync(); a.release();${"}".repeat(1500)}\n}\n`;
  const texts = new Map([
    [`${CWD}/deep.ts`, deep],
    [`${CWD}/inversion.ts`, LOCKS + INVERSION],
  ]);
  const ws = new WorkspaceAnalysis({ cwd: CWD, readFile: (file) => texts.get(file) });
  ws.add(texts.keys());
  const result = ws.analyze();
  assert.deepEqual(
    result.findings.map((f) => [f.kind, f.sites[0]?.file]),
    [["potential-deadlock", "inversion.ts"]],
  );
  assert.deepEqual(
    result.problems.map((p) => [p.file, p.line, p.message]),
    [[`${CWD}/deep.ts`, 5, TOO_DEEP]],
  );
  assert.ok(!result.analyzedFiles.includes(`${CWD}/deep.ts`));
  const fixed = ws.update(`${CWD}/deep.ts`, LOCKS + "export function deep() {}\n");
  assert.deepEqual(fixed.problems, []);
  assert.equal(fixed.findings.length, 1);
});
