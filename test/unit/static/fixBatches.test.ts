// The re-analysis of a file's fix edits in batches (static/checkedFixes.ts): edits whose
// findings share no lock are applied together and re-analysed once; every verdict is the one
// the edit gets re-analysed alone, and the re-analysis builds no findings (problemsOnly).
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkSources } from "../../../src/analysis/static/index.ts";
import { checkFixEdits } from "../../../src/analysis/static/checkedFixes.ts";
import type { Finding } from "../../../src/protocol/report.ts";
import { CWD } from "./helpers.ts";

const FILE = `${CWD}/bank.ts`;

function inversion(x: string, y: string): string {
  return (
    `export function ${x}${y}() {\n  ${x}.acquireSync();\n  ${y}.acquireSync();\n  ${y}.release();\n  ${x}.release();\n}\n` +
    `export function ${y}${x}() {\n  ${y}.acquireSync();\n  ${x}.acquireSync();\n  ${x}.release();\n  ${y}.release();\n}\n`
  );
}

const SOURCE =
  'import { Lock } from "threadlens";\n' +
  ["a", "b", "c", "d", "e", "f", "g", "h"].map((l) => `const ${l} = new Lock("${l}");\n`).join("") +
  inversion("a", "b") +
  inversion("c", "d") +
  inversion("e", "f") +
  // One function takes its locks in the order its callers pass them, called both ways.
  "export function pair(x: Lock, y: Lock) {\n  x.acquireSync();\n  y.acquireSync();\n  y.release();\n  x.release();\n}\n" +
  "export function gh() {\n  pair(g, h);\n}\nexport function hg() {\n  pair(h, g);\n}\n";

const readFile = (file: string): string | undefined => (file === FILE ? SOURCE : undefined);

/** Kind, locks and, per suggestion, its kind and whether it kept its edit (else why not). */
function outcome(findings: readonly Finding[]): unknown[] {
  return findings.map((f) => [
    [...f.locks].sort().join(","),
    f.suggestions.map((s) => [
      s.kind,
      s.edit !== undefined ? "edit" : (/\(no edit: ([^)]*)\)$/.exec(s.message)?.[1] ?? "message"),
    ]),
  ]);
}

test("edits checked in batches get the verdicts they get checked one by one", () => {
  const { findings } = checkSources({ files: [FILE], readFile, cwd: CWD });
  assert.equal(findings.length, 4);
  const batched = checkFixEdits(findings, { cwd: CWD, readFile });
  const alone = findings.flatMap((f) => checkFixEdits([f], { cwd: CWD, readFile }));
  assert.deepEqual(outcome(batched), outcome(alone));
  const swapKept = ["global-order", "edit"];
  const allKept = ["acquire-all", "edit"];
  assert.deepEqual(
    outcome(batched).map((o) => (o as [string, unknown[]])[0]),
    ["a,b", "c,d", "e,f", "g,h"],
  );
  for (const o of outcome(batched).slice(0, 3) as [string, unknown[]][]) {
    assert.deepEqual(o[1].slice(0, 2), [swapKept, allKept], o[0]);
  }
  // The swap inside pair() leaves both callers inverted: withheld by the re-analysis or, before
  // it, by the analysis itself; never offered.
  const gh = batched[3] as Finding;
  assert.equal(gh.suggestions.find((s) => s.kind === "global-order")?.edit, undefined);
});

test("a re-analysis for the fix check builds only kinds and locks", () => {
  const full = checkSources({ files: [FILE], readFile, cwd: CWD });
  const problems = checkSources({ files: [FILE], readFile, cwd: CWD, problemsOnly: true });
  assert.deepEqual(
    problems.findings.map((f) => [f.kind, [...f.locks].sort()]).sort(),
    full.findings.map((f) => [f.kind, [...f.locks].sort()]).sort(),
  );
  assert.ok(problems.findings.every((f) => f.sites.length === 0 && f.suggestions.length === 0));
});
