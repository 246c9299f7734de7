// The incremental re-analysis of edits (static/incremental.ts) gives the problems a full
// re-analysis of the edited text gives: on generated files (a dense one, callers holding locks
// around an edited helper, class field locks, module code, acquireAll) and on every fixture
// of test/fixtures/static and test/fixtures/analysis, for each fix edit the findings offer,
// their edits applied together, and edits that delete one lock operation line each.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkSources } from "../../../src/analysis/static/index.ts";
import { IncrementalFile } from "../../../src/analysis/static/incremental.ts";
import { checkFixEdits } from "../../../src/analysis/static/checkedFixes.ts";
import { applyTextEdit } from "../../../src/analysis/sourceEdits.ts";
import type { TextEdit } from "../../../src/protocol/report.ts";
import { CWD } from "./helpers.ts";

const root = fileURLToPath(new URL("../../..", import.meta.url));

function fullProblems(file: string, text: string): Set<string> & { broken?: true } {
  const result = checkSources({
    files: [file],
    readFile: () => text,
    cwd: CWD,
    problemsOnly: true,
  });
  const keys = new Set(result.findings.map((f) => `${f.kind}:${[...f.locks].sort().join(",")}`));
  return result.problems.length > 0 ? Object.assign(keys, { broken: true as const }) : keys;
}

/** The suggested edits, then all of them at once (distinct lines), then line deletions. */
function editsOf(file: string, text: string): TextEdit[] {
  const suggested = checkSources({ files: [file], readFile: () => text, cwd: CWD })
    .findings.flatMap((f) => f.suggestions)
    .flatMap((s) => (s.edit === undefined ? [] : [s.edit]));
  const edits: TextEdit[] = [...suggested];
  const lines = new Set<number>();
  const together = suggested
    .flatMap((e) => e.replacements)
    .filter((r) => {
      if (lines.has(r.line) || lines.has(r.endLine)) return false;
      for (let l = r.line; l <= r.endLine; l++) lines.add(l);
      return true;
    });
  if (together.length > 1) edits.push({ file, replacements: together });
  const operations: TextEdit[] = [];
  text.split("\n").forEach((line, i) => {
    const operation = /\.(acquire\w*|release|tryAcquire\w*|lock|run|withLock)\(|acquireAll/;
    if (!operation.test(line) && !/^\s*\w+\(\);$/.test(line)) return;
    const replacement = { line: i + 1, column: 1, endLine: i + 1, endColumn: line.length + 1 };
    operations.push({ file, replacements: [{ ...replacement, newText: "" }] });
  });
  // At most 12 of them, spread over the file (each is compared with a full re-analysis).
  const step = Math.max(1, Math.ceil(operations.length / 12));
  return [...edits, ...operations.filter((_, i) => i % step === 0)];
}

/** Compares incremental and full problems for every edit; how many were incremental. */
function compare(
  file: string,
  text: string,
  strict: boolean,
): { edits: number; incremental: number } {
  const base = IncrementalFile.of(file, text, CWD);
  assert.ok(base !== undefined, `${file}: the unedited file is walked`);
  assert.deepEqual([...base.problems].sort(), [...fullProblems(file, text)].sort(), file);
  let incremental = 0;
  const edits = editsOf(file, text);
  for (const edit of edits) {
    const full = fullProblems(file, applyTextEdit(text, edit));
    const fast = base.problemsAfter(edit);
    if (fast === undefined) {
      const lines = text.split("\n");
      // Only an edit of a lock's declaration (a changed kind), or one that leaves the text
      // unparsable, is re-analysed whole here.
      const declaration =
        full.broken === true ||
        edit.replacements.some((r) =>
          /^\s*(export\s+)?(const|let|var)\s|new \w*Lock\(/.test(lines[r.line - 1] ?? ""),
        );
      if (strict) assert.ok(declaration, `${file}: ${JSON.stringify(edit)} re-analysed whole`);
      continue;
    }
    incremental++;
    assert.deepEqual(
      [...fast].sort(),
      [...full].sort(),
      `${file}: ${JSON.stringify(edit.replacements)}`,
    );
  }
  return { edits: edits.length, incremental };
}

const DENSE = (() => {
  const out = ['import { Lock } from "threadlens";'];
  for (let i = 0; i < 8; i++) out.push(`const lock${i} = new Lock("lock${i}");`);
  for (let i = 0; i < 40; i++) {
    const x = i % 8;
    const y = (x + 1 + (i % 5)) % 8;
    const [a, b] = i % 3 === 0 ? [y, x] : [x, y];
    out.push(
      `export function work${i}(): number {`,
      `  lock${a}.acquireSync();`,
      "  try {",
      `    lock${b}.acquireSync();`,
      "    try {",
      `      return ${i};`,
      "    } finally {",
      `      lock${b}.release();`,
      "    }",
      "  } finally {",
      `    lock${a}.release();`,
      "  }",
      "}",
    );
  }
  return `${out.join("\n")}\n`;
})();

/**
 * Calls chained deeper than the walk follows (8), a root holding a lock into the middle of the
 * chain and one calling near its end: over a thousand cycles (the search's limit), so which it
 * finds must not depend on the order of the edges.
 */
const CHAIN = (() => {
  const out = ['import { Lock } from "threadlens";'];
  for (let i = 0; i < 12; i++) out.push(`const l${i} = new Lock("l${i}");`);
  for (let i = 0; i < 12; i++) {
    const next = i < 11 ? `  f${i + 1}();` : "  l0.acquireSync();";
    out.push(
      `export function f${i}(): void {`,
      `  l${i}.acquireSync();`,
      next,
      `  l${i}.release();`,
      "}",
    );
  }
  out.push(
    "export function g(): void {",
    "  l11.acquireSync();",
    "  f3();",
    "  l11.release();",
    "}",
  );
  out.push("export function h(): void {", "  f9();", "}");
  return `${out.join("\n")}\n`;
})();

const CALLERS = `import { Lock, RLock } from "threadlens";
const a = new Lock("a");
const b = new Lock("b");
const c = new RLock("c");
function inner(): void {
  b.acquireSync();
  b.release();
}
function middle(): void {
  c.acquireSync();
  inner();
  c.release();
}
export function outer(): void {
  a.acquireSync();
  middle();
  a.release();
}
export function reverse(): void {
  b.acquireSync();
  a.acquireSync();
  a.release();
  b.release();
}
export function again(): void {
  a.acquireSync();
  a.acquireSync();
  a.release();
  a.release();
}
export function pair(x: Lock, y: Lock): void {
  x.acquireSync();
  y.acquireSync();
  y.release();
  x.release();
}
export function both(): void {
  pair(a, c);
  pair(c, a);
}
a.acquireSync();
inner();
a.release();
`;

const FIELDS = `import { Lock, acquireAllSync } from "threadlens";
export class Bank {
  readonly #from = new Lock("from");
  readonly to = new Lock("to");
  move(): void {
    this.#from.acquireSync();
    this.to.acquireSync();
    this.to.release();
    this.#from.release();
  }
  back(): void {
    this.to.acquireSync();
    this.#from.acquireSync();
    this.#from.release();
    this.to.release();
  }
  both(): void {
    acquireAllSync([this.to, this.#from]);
    this.to.release();
    this.#from.release();
  }
  nested(): void {
    this.to.acquireSync();
    [1, 2].forEach(() => this.back());
    this.to.release();
  }
}
`;

const ASYNC = `import { Lock } from "threadlens";
const p = new Lock("p");
const q = new Lock("q");
export async function pq(): Promise<void> {
  await p.acquire();
  await q.acquire();
  q.release();
  p.release();
}
export async function qp(): Promise<void> {
  await q.acquire();
  await p.acquire();
  p.release();
  q.release();
}
export async function guarded(): Promise<void> {
  await q.withLock(async () => {
    await p.withLock(async () => undefined);
  });
}
`;

test("incremental re-analysis gives the full re-analysis' problems on generated files", () => {
  for (const [name, text] of Object.entries({ DENSE, CHAIN, CALLERS, FIELDS, ASYNC })) {
    const { edits, incremental } = compare(`${CWD}/${name}.ts`, text, true);
    assert.ok(incremental > 3 && incremental >= edits - 2, `${name}: ${incremental} of ${edits}`);
  }
});

function fixtures(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return fixtures(file);
    return /\.[cm]?[jt]sx?$/.test(name) ? [file] : [];
  });
}

test("incremental re-analysis gives the full re-analysis' problems on the fixtures", () => {
  let incremental = 0;
  const files = [
    ...fixtures(path.join(root, "test/fixtures/static")),
    ...fixtures(path.join(root, "test/fixtures/analysis")),
  ];
  assert.ok(files.length >= 20);
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    incremental += compare(`${CWD}/${path.basename(file)}`, text, false).incremental;
  }
  assert.ok(incremental > 40, `${incremental} edits compared incrementally`);
});

test("check's own walk of a single file serves its fix checks, with the same verdicts", () => {
  const file = `${CWD}/FIELDS.ts`;
  const readFile = (p: string): string | undefined => (p === file ? FIELDS : undefined);
  const tracked = checkSources({ files: [file], readFile, cwd: CWD, track: true });
  assert.ok(tracked.incremental !== undefined);
  assert.equal(tracked.incremental.file, file);
  // Two files: no walk kept (each file's edits are re-analysed in a program of its own).
  const two = checkSources({
    files: [file, `${CWD}/other.ts`],
    readFile: (p) => (p === file ? FIELDS : "export const x = 1;\n"),
    cwd: CWD,
    track: true,
  });
  assert.equal(two.incremental, undefined);
  const options = { cwd: CWD, readFile };
  const reused = checkFixEdits(tracked.findings, { ...options, walked: [tracked.incremental] });
  const own = checkFixEdits(tracked.findings, options);
  assert.deepEqual(reused, own);
  const verdicts = own.flatMap((f) =>
    f.suggestions.map((s) =>
      s.edit !== undefined ? "edit" : /\(no edit: (.*)\)$/.exec(s.message)?.[1],
    ),
  );
  assert.ok(verdicts.includes("edit"), JSON.stringify(verdicts));
});

test("past the cycle search's limit, the incremental and the full re-analysis find the same cycles", () => {
  const file = `${CWD}/CHAIN.ts`;
  const lines = CHAIN.split("\n");
  const line = lines.lastIndexOf("  f9();") + 1;
  const edit = {
    file,
    replacements: [{ line, column: 1, endLine: line, endColumn: 8, newText: "" }],
  };
  const base = IncrementalFile.of(file, CHAIN, CWD);
  const fast = base?.problemsAfter(edit);
  assert.ok(fast !== undefined);
  const full = fullProblems(file, applyTextEdit(CHAIN, edit));
  assert.ok(full.size > 300, `${full.size} problems`);
  assert.deepEqual([...fast].sort(), [...full].sort());
});
