// The workspace analysis (src/analysis/static/workspace.ts): the editor's incremental static
// analysis over every file of a workspace, files given as texts under a virtual /proj.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { checkSources } from "../../../src/analysis/static/index.ts";
import { WorkspaceAnalysis, type WorkspaceResult } from "../../../src/analysis/static/workspace.ts";
import { CWD, lineOf, none, only, replaced, sitesOf } from "./helpers.ts";

const LOCKS = `import { Lock } from "threadlens";
export const lockA = new Lock();
export const lockB = new Lock();
`;

const FIRST = `import { lockA, lockB } from "./locks.ts";
export function doA(): void {
  lockA.acquireSync();
  lockB.acquireSync();
  lockB.release();
  lockA.release();
}
`;

const SECOND = `import { lockA, lockB } from "./locks.ts";
export function doB(): void {
  lockB.acquireSync();
  lockA.acquireSync();
  lockA.release();
  lockB.release();
}
`;

/** A file that has nothing to do with locks. */
const UNRELATED = `import { format } from "./format.ts";
export function total(items: readonly number[]): string {
  let sum = 0;
  for (const item of items) sum += item;
  return format(sum);
}
`;

const FORMAT = `export function format(n: number): string {
  return n.toFixed(2);
}
`;

/** A workspace over `files` (relative name → text), with every file added and analyzed. */
function workspace(files: Record<string, string>): {
  ws: WorkspaceAnalysis;
  result: WorkspaceResult;
} {
  const texts = new Map(Object.entries(files).map(([name, text]) => [`${CWD}/${name}`, text]));
  const ws = new WorkspaceAnalysis({ cwd: CWD, readFile: (file) => texts.get(file) });
  ws.add(texts.keys());
  return { ws, result: ws.analyze() };
}

const S1_SPLIT = {
  "locks.ts": LOCKS,
  "first.ts": FIRST,
  "second.ts": SECOND,
  "total.ts": UNRELATED,
  "format.ts": FORMAT,
};

describe("static: workspace analysis", () => {
  test("S1 split across two files: found with both files' sites; fixing one file clears it", () => {
    const { ws, result } = workspace(S1_SPLIT);
    const f = only(result.findings, "potential-deadlock");
    assert.deepEqual(f.locks, ["lockA", "lockB"]);
    assert.deepEqual(sitesOf(f, "held"), [
      `first.ts:${lineOf(FIRST, "lockA.acquireSync")}`,
      `second.ts:${lineOf(SECOND, "lockB.acquireSync")}`,
    ]);
    assert.deepEqual(sitesOf(f, "acquires"), [
      `first.ts:${lineOf(FIRST, "lockB.acquireSync")}`,
      `second.ts:${lineOf(SECOND, "lockA.acquireSync")}`,
    ]);
    assert.equal(result.fileCount, 5);
    assert.deepEqual(result.analyzedFiles, [
      `${CWD}/first.ts`,
      `${CWD}/locks.ts`,
      `${CWD}/second.ts`,
    ]);
    const fixed = replaced(
      replaced(SECOND, "lockB.acquireSync();\n  lockA", "lockA.acquireSync();\n  lockB"),
      "lockA.release();\n  lockB",
      "lockB.release();\n  lockA",
    );
    none(ws.update(`${CWD}/second.ts`, fixed).findings);
    const again = ws.update(`${CWD}/second.ts`, SECOND);
    assert.deepEqual(again.findings, result.findings);
  });

  test("the same findings as the analysis of every file at once", () => {
    const { result } = workspace(S1_SPLIT);
    const texts = new Map(Object.entries(S1_SPLIT).map(([n, t]) => [`${CWD}/${n}`, t]));
    const whole = checkSources({
      cwd: CWD,
      files: [...texts.keys()].sort(),
      readFile: (file) => texts.get(file),
    });
    assert.deepEqual(result.findings, whole.findings);
  });

  test("an order declared in a third file is enforced, and no longer once that file is gone", () => {
    const { ws, result } = workspace({
      "locks.ts": LOCKS,
      "second.ts": SECOND,
      "ORDER.ts": "// threadlens: order lockA < lockB\nexport {};\n",
    });
    const f = only(result.findings, "potential-deadlock");
    assert.match(f.message, /against the declared order lockA < lockB \(ORDER\.ts:1\)/);
    assert.deepEqual(sitesOf(f, "held"), [`second.ts:${lineOf(SECOND, "lockB.acquireSync")}`]);
    none(ws.update(`${CWD}/ORDER.ts`, undefined).findings);
  });

  test("deleting a file removes its findings; creating it again brings them back", () => {
    const { ws, result } = workspace(S1_SPLIT);
    only(result.findings, "potential-deadlock");
    const gone = ws.update(`${CWD}/first.ts`, undefined);
    none(gone.findings);
    assert.equal(gone.fileCount, 4);
    assert.ok(!ws.files.includes(`${CWD}/first.ts`));
    assert.deepEqual(ws.update(`${CWD}/first.ts`, FIRST).findings, result.findings);
  });

  test("an edit of an unrelated file leaves the findings identical, without re-analysis", () => {
    const { ws, result } = workspace(S1_SPLIT);
    const edited = ws.update(
      `${CWD}/total.ts`,
      UNRELATED.replace("sum += item", "sum += 2 * item"),
    );
    assert.deepEqual(edited.findings, result.findings);
    assert.deepEqual(edited.analyzedFiles, result.analyzedFiles);
    assert.equal(edited.walks, result.walks);
    assert.equal(edited.findings, result.findings, "the previous findings, not recomputed");
    const unchanged = ws.update(`${CWD}/format.ts`, FORMAT);
    assert.equal(unchanged.findings, result.findings);
  });

  test("an unrelated file that starts taking a lock joins the analysis", () => {
    const { ws } = workspace({ "locks.ts": LOCKS, "first.ts": FIRST, "total.ts": UNRELATED });
    const text = `import { lockA, lockB } from "./locks.ts";\n${UNRELATED.replace(
      "let sum = 0;",
      "lockB.acquireSync();\n  lockA.acquireSync();\n  let sum = 0;",
    )}`;
    const result = ws.update(`${CWD}/total.ts`, text);
    const f = only(result.findings, "potential-deadlock");
    assert.deepEqual(sitesOf(f, "acquires"), [
      `first.ts:${lineOf(FIRST, "lockB.acquireSync")}`,
      `total.ts:${lineOf(text, "lockA.acquireSync")}`,
    ]);
  });
});

describe("static: workspace analysis follows files that never mention threadlens", () => {
  const QUEUE = `import { lockB } from "./locks.ts";
export function drain(): void {
  lockB.acquireSync();
  lockB.release();
}
`;
  /** No threadlens, no lock operation: a helper whose callee (two files away) takes lockB. */
  const FLUSH = `import { drain } from "../queue.ts";
export function flushAll(): void {
  drain();
}
`;
  const APP = `import { lockA } from "./locks.ts";
import { flushAll } from "./util/flush.ts";
export function save(): void {
  lockA.acquireSync();
  flushAll();
  lockA.release();
}
`;

  test("a helper called with a lock held, through a file that never mentions threadlens", () => {
    const { result } = workspace({
      "locks.ts": LOCKS,
      "queue.ts": QUEUE,
      "util/flush.ts": FLUSH,
      "app.ts": APP,
      "second.ts": SECOND,
      "total.ts": UNRELATED,
      "format.ts": FORMAT,
    });
    const f = only(result.findings, "potential-deadlock");
    assert.deepEqual(sitesOf(f, "acquires"), [
      `queue.ts:${lineOf(QUEUE, "lockB.acquireSync")}`,
      `second.ts:${lineOf(SECOND, "lockA.acquireSync")}`,
    ]);
    assert.deepEqual(sitesOf(f, "held"), [
      `app.ts:${lineOf(APP, "lockA.acquireSync")}`,
      `second.ts:${lineOf(SECOND, "lockB.acquireSync")}`,
    ]);
    assert.ok(result.analyzedFiles.includes(`${CWD}/util/flush.ts`));
    assert.ok(!result.analyzedFiles.includes(`${CWD}/total.ts`));
  });

  test("a lock parameter taken in an untyped JavaScript helper", () => {
    const helper = `export function critical(lock, fn) {\n  lock.acquireSync();\n  fn();\n  lock.release();\n}\n`;
    const app = `import { lockA, lockB } from "./locks.ts";
import { critical } from "./critical.js";
export function doA(): void {
  lockA.acquireSync();
  critical(lockB, () => undefined);
  lockA.release();
}
`;
    const { result } = workspace({
      "locks.ts": LOCKS,
      "critical.js": helper,
      "app.ts": app,
      "second.ts": SECOND,
    });
    const f = only(result.findings, "potential-deadlock");
    assert.ok(sitesOf(f, "acquires").includes("critical.js:2"), JSON.stringify(f.sites));
  });

  test("locks imported through a barrel that only re-exports them", () => {
    const barrel = `export * from "./locks.ts";\n`;
    const viaBarrel = FIRST.replace("./locks.ts", "./index.ts");
    const { result } = workspace({
      "locks.ts": LOCKS,
      "index.ts": barrel,
      "first.ts": viaBarrel,
      "second.ts": SECOND,
    });
    const f = only(result.findings, "potential-deadlock");
    assert.deepEqual(f.locks, ["lockA", "lockB"]);
    assert.ok(result.analyzedFiles.includes(`${CWD}/index.ts`));
  });

  test("an unreadable file is a problem; the rest is analyzed", () => {
    const texts = new Map(Object.entries(S1_SPLIT).map(([n, t]) => [`${CWD}/${n}`, t]));
    const ws = new WorkspaceAnalysis({ cwd: CWD, readFile: (file) => texts.get(file) });
    ws.add([...texts.keys(), `${CWD}/missing.ts`]);
    const result = ws.analyze();
    only(result.findings, "potential-deadlock");
    assert.deepEqual(result.problems, [
      { file: `${CWD}/missing.ts`, line: 0, column: 0, message: "cannot read the file" },
    ]);
    assert.deepEqual(ws.update(`${CWD}/missing.ts`, undefined).problems, []);
  });
});

describe("static: workspace analysis of the fixtures, read from disk", () => {
  test("the fixtures of test/fixtures/static as one workspace: the findings of checkSources", () => {
    const dir = fileURLToPath(new URL("../../fixtures/static", import.meta.url)).replace(
      /\\/g,
      "/",
    );
    const files: string[] = [];
    const visit = (folder: string): void => {
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        const full = `${folder}/${entry.name}`;
        if (entry.isDirectory()) visit(full);
        else if (entry.name.endsWith(".ts")) files.push(full);
      }
    };
    visit(dir);
    const read = (file: string): string | undefined => readFileSync(file, "utf8");
    const ws = new WorkspaceAnalysis({ cwd: dir, readFile: read });
    ws.add(files);
    const result = ws.analyze();
    const whole = checkSources({ cwd: dir, files: [...files].sort(), readFile: read });
    assert.deepEqual(result.findings, whole.findings);
    assert.deepEqual(
      result.findings.map((f) => `${f.kind} ${f.sites[0]?.file}`),
      [
        "potential-deadlock accounts.ts",
        "potential-deadlock annotated.ts",
        "potential-deadlock callbacks.ts",
        "potential-deadlock helper-files/writer.ts",
        "self-deadlock reentry.ts",
        "potential-deadlock split/first.ts",
      ],
    );
    assert.ok(result.relevantFiles.includes(`${dir}/helper-files/journal.ts`));
  });
});
