// Helpers for the static analysis tests: analyze small sources given as strings (files under
// a virtual /proj), and pick findings, sites and lines.
import assert from "node:assert/strict";
import {
  checkSources,
  type StaticCheckResult,
  type WalkLimits,
} from "../../../src/analysis/static/index.ts";
import type { Finding, FindingSite } from "../../../src/protocol/report.ts";

export const CWD = "/proj";

/** The import line most sources start with. */
export const IMPORT =
  'import { Lock, RLock, withLock, acquireAll, type AnyLock } from "threadlens";\n';

/** Analyzes `files` (relative name → text) as /proj/<name>. */
export function analyze(files: Record<string, string>, limits: WalkLimits = {}): StaticCheckResult {
  const texts = new Map(Object.entries(files).map(([name, text]) => [`${CWD}/${name}`, text]));
  const result = checkSources({
    files: [...texts.keys()],
    readFile: (file) => texts.get(file),
    cwd: CWD,
    ...limits,
  });
  assert.deepEqual(result.problems, [], "the sources parse");
  return result;
}

/** The findings of one file `app.ts`. */
export function findingsOf(source: string, limits: WalkLimits = {}): readonly Finding[] {
  return analyze({ "app.ts": source }, limits).findings;
}

export function only(findings: readonly Finding[], kind: Finding["kind"]): Finding {
  assert.equal(
    findings.length,
    1,
    `one finding expected, got ${JSON.stringify(findings, null, 1)}`,
  );
  const finding = findings[0] as Finding;
  assert.equal(finding.kind, kind);
  return finding;
}

export function none(findings: readonly Finding[]): void {
  assert.deepEqual(
    findings.map((f) => f.message),
    [],
    "no findings expected",
  );
}

/** 1-based line of the `n`th line of `source` containing `text`. */
export function lineOf(source: string, text: string, n = 1): number {
  const lines = source.split("\n");
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.includes(text) && ++seen === n) return i + 1;
  }
  throw new Error(`${text} (${n}) not found`);
}

/** `file:line` of the sites with `role`, sorted. */
export function sitesOf(finding: Finding, role: FindingSite["role"]): string[] {
  return finding.sites
    .filter((s) => s.role === role)
    .map((s) => `${s.file}:${s.line}`)
    .sort();
}

/** `source` with `from` replaced by `to` (which must be there). */
export function replaced(source: string, from: string, to: string): string {
  assert.ok(source.includes(from), `${JSON.stringify(from)} is in the source`);
  return source.replace(from, to);
}
