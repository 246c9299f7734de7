// The fix check made once per text and edits (cli/fixCheckCache.ts): a check already made is
// read back with the same verdicts and without loading the checker; a changed text, a changed
// build or an entry made for another key is checked again; verdicts that ran out of time are
// not kept; findings without edits need no checker at all.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { checkSources } from "../../../src/analysis/static/index.ts";
import { checkFixEdits, fixVerdicts } from "../../../src/analysis/static/checkedFixes.ts";
import { checkFixEditsOnce, type CheckEdits } from "../../../src/cli/fixCheckCache.ts";
import type { Finding } from "../../../src/protocol/report.ts";
import { CWD, IMPORT } from "./helpers.ts";

const FILE = `${CWD}/bank.ts`;
const SOURCE =
  IMPORT +
  'const a = new Lock("a");\nconst b = new Lock("b");\nconst r = new Lock("r");\n' +
  "export function ab() {\n  a.acquireSync();\n  b.acquireSync();\n  b.release();\n  a.release();\n}\n" +
  "export function ba() {\n  b.acquireSync();\n  a.acquireSync();\n  a.release();\n  b.release();\n}\n" +
  "export function twice() {\n  r.acquireSync();\n  r.acquireSync();\n  r.release();\n  r.release();\n}\n";

function setup(source = SOURCE) {
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-fixcheck-"));
  const build = path.join(dir, "build.js");
  writeFileSync(build, "one build");
  const texts = new Map([[FILE, source]]);
  const options = { cwd: CWD, readFile: (file: string) => texts.get(file) };
  const loads: string[] = [];
  let check: CheckEdits = fixVerdicts;
  const cache = {
    dir: path.join(dir, "cache"),
    builds: [build],
    load: async () => {
      loads.push("load");
      return check;
    },
  };
  const findings = checkSources({ files: [FILE], readFile: options.readFile, cwd: CWD }).findings;
  return {
    dir,
    build,
    texts,
    options,
    loads,
    cache,
    findings,
    setCheck: (c: CheckEdits) => (check = c),
    done: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function edits(findings: readonly Finding[]): number {
  return findings.flatMap((f) => f.suggestions).filter((s) => s.edit !== undefined).length;
}

test("a check made before is read back, the same, without loading the checker", async () => {
  const s = setup();
  try {
    assert.deepEqual(
      s.findings.map((f) => f.kind),
      ["potential-deadlock", "self-deadlock"],
    );
    const expected = checkFixEdits(s.findings, s.options);
    assert.ok(edits(expected) > 0, "some edit passes the check");
    const first = await checkFixEditsOnce(s.findings, s.options, s.cache);
    assert.deepEqual(first, expected);
    assert.deepEqual(s.loads, ["load"]);
    const again = await checkFixEditsOnce(s.findings, s.options, s.cache);
    assert.deepEqual(again, expected);
    assert.deepEqual(s.loads, ["load"], "the second check came from the cache");
  } finally {
    s.done();
  }
});

test("a changed text, a changed build or another key's entry is checked again", async () => {
  const s = setup();
  try {
    await checkFixEditsOnce(s.findings, s.options, s.cache);
    // The same lines, one more comment at the end: the edits still apply, the text differs.
    s.texts.set(FILE, `${SOURCE}// changed\n`);
    await checkFixEditsOnce(s.findings, s.options, s.cache);
    assert.equal(s.loads.length, 2, "a changed text");
    writeFileSync(s.build, "another build");
    await checkFixEditsOnce(s.findings, s.options, s.cache);
    assert.equal(s.loads.length, 3, "a changed build");
    // Every entry rewritten as if made for another key (a clash of the names' hashes).
    for (const name of readdirSync(s.cache.dir))
      writeFileSync(path.join(s.cache.dir, name), JSON.stringify({ key: "another", verdicts: [] }));
    const checked = await checkFixEditsOnce(s.findings, s.options, s.cache);
    assert.equal(s.loads.length, 4, "an entry for another key");
    assert.deepEqual(checked, checkFixEdits(s.findings, s.options));
  } finally {
    s.done();
  }
});

test("verdicts that ran out of time are not kept", async () => {
  const s = setup();
  try {
    s.setCheck((byFile, options) => ({ ...fixVerdicts(byFile, options), complete: false }));
    await checkFixEditsOnce(s.findings, s.options, s.cache);
    await checkFixEditsOnce(s.findings, s.options, s.cache);
    assert.deepEqual(s.loads, ["load", "load"]);
  } finally {
    s.done();
  }
});

test("findings that offer no edit need no checker and come back as they are", async () => {
  const s = setup();
  try {
    const noEdits = s.findings.map((f) => ({
      ...f,
      suggestions: f.suggestions.map((x) => ({ kind: x.kind, message: x.message })),
    }));
    assert.deepEqual(await checkFixEditsOnce(noEdits, s.options, s.cache), noEdits);
    assert.deepEqual(await checkFixEditsOnce([], s.options, s.cache), []);
    assert.deepEqual(s.loads, []);
  } finally {
    s.done();
  }
});
