// A TypeScript worker entry compiled ahead (src/runtime/workerPrecompile.ts): its static graph
// of TypeScript modules written as JavaScript modules whose specifiers are absolute file URLs,
// resolved as the loader hooks resolve them, with the module meta object the original file's
// and stacks
// at TypeScript lines; a graph needing nothing of the hooks then (moduleHooksPlan); and every
// case it cannot reproduce exactly left to the hooks (undefined).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { precompileWorkerEntry } from "../../src/runtime/workerPrecompile.ts";
import { moduleHooksPlan } from "../../src/runtime/moduleHooks.ts";
import { setOwnRuntimeFace } from "../../src/runtime/esmGraph.ts";

const root = path.resolve(__dirname, "../..");
/** The modules' meta object, spelled so that this file stays CommonJS (its package's type). */
const META = ["import", "meta"].join(".");
const ownRuntime = path.join(root, "dist/runtime.mjs");
setOwnRuntimeFace(ownRuntime);

function workspace(files: Record<string, string>): { dir: string; done: () => void } {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), "threadlens-precompile-")));
  writeFileSync(path.join(dir, "package.json"), '{ "type": "module" }\n');
  for (const [name, text] of Object.entries(files)) {
    const full = path.join(dir, name);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A build key of its own per test: nothing compiled by another test or run is reused. */
function settings(tag: string) {
  return { ownRuntime, build: `test-${tag}-${process.pid}-${Date.now()}` };
}

/** Runs the compiled entry in a real worker; resolves with what it posts. */
function runWorker(entry: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(entry);
    worker.once("message", resolve);
    worker.once("error", reject);
  });
}

const ENTRY = `import { parentPort } from "node:worker_threads";
import { describe } from "./lib.js";
import data from "./data.json" with { type: "json" };
import { esm } from "pkg";
import { Lock } from "threadlens";
const n: number = 2;
function fail(): never {
  throw new Error("from the worker");
}
let line = "";
try {
  fail();
} catch (error) {
  line = ((error as Error).stack ?? "").split("\\n")[1] ?? "";
}
parentPort?.postMessage({
  url: ${META}.url,
  dirname: ${META}.dirname,
  filename: ${META}.filename,
  described: describe(n),
  data,
  esm,
  lock: typeof Lock,
  line,
});
`;

test("a worker's TypeScript graph compiled ahead: specifiers, meta object, JSON, packages, TypeScript lines", async () => {
  const { dir, done } = workspace({
    "entry.ts": ENTRY,
    "lib.ts":
      'import { twice } from "./util";\nexport const describe = (n: number): string => `n=${twice(n)}`;\n',
    "util.ts": "export function twice(n: number): number {\n  return n * 2;\n}\n",
    "data.json": '{ "answer": 42 }\n',
    "node_modules/pkg/package.json":
      '{ "name": "pkg", "exports": { ".": { "import": "./esm.mjs", "require": "./cjs.cjs" } } }\n',
    "node_modules/pkg/esm.mjs": 'export const esm = "the import build";\n',
    "node_modules/pkg/cjs.cjs": 'exports.esm = "the require build";\n',
  });
  try {
    const entry = path.join(dir, "entry.ts");
    const compiled = precompileWorkerEntry(entry, settings("graph"));
    assert.ok(compiled !== undefined, "compiled");
    assert.match(compiled, /entry-\w+\.mjs$/);
    const text = readFileSync(compiled, "utf8");
    assert.match(text, /from "file:\/\/\/[^"]*\/lib-\w+\.mjs";/);
    assert.ok(
      text.includes(`from ${JSON.stringify(pathToFileURL(path.join(dir, "data.json")).href)} with`),
    );
    assert.ok(
      text.includes(JSON.stringify(pathToFileURL(path.join(dir, "node_modules/pkg/esm.mjs")).href)),
    );
    assert.ok(text.includes(`from ${JSON.stringify(pathToFileURL(ownRuntime).href)}`));
    assert.ok(text.includes('from "node:worker_threads"'));
    // Nothing in its graph needs the hooks any more.
    assert.deepEqual(moduleHooksPlan(compiled), []);
    const posted = (await runWorker(compiled)) as Record<string, unknown>;
    assert.deepEqual(
      { ...posted, line: undefined },
      {
        url: pathToFileURL(entry).href,
        dirname: dir,
        filename: entry,
        described: "n=4",
        data: { answer: 42 },
        esm: "the import build",
        lock: "function",
        line: undefined,
      },
    );
    // The throw is at line 8 of entry.ts, column 9.
    assert.equal(posted["line"], `    at fail (${entry}:8:9)`);
  } finally {
    done();
  }
});

test("an import cycle compiles, and a module changed compiles anew beside the old graph", async () => {
  const { dir, done } = workspace({
    "a.ts":
      'import { parentPort } from "node:worker_threads";\nimport { b } from "./b.ts";\nexport const a = "a";\nparentPort?.postMessage(b());\n',
    "b.ts": 'import { a } from "./a.ts";\nexport const b = (): string => `b sees ${a}`;\n',
  });
  try {
    const entry = path.join(dir, "a.ts");
    const options = settings("cycle");
    const first = precompileWorkerEntry(entry, options);
    assert.ok(first !== undefined);
    assert.equal(await runWorker(first), "b sees a");
    const written = statSync(first).mtimeMs;
    assert.equal(precompileWorkerEntry(entry, options), first, "the same graph: the same module");
    assert.equal(statSync(first).mtimeMs, written, "not written again");
    writeFileSync(
      path.join(dir, "b.ts"),
      'import { a } from "./a.ts";\nexport const b = (): string => `b now sees ${a}`;\n',
    );
    const second = precompileWorkerEntry(entry, options);
    assert.ok(second !== undefined);
    assert.notEqual(second, first);
    assert.equal(await runWorker(second), "b now sees a");
  } finally {
    done();
  }
});

test("what it cannot reproduce exactly is left to the hooks", () => {
  const cases: Record<string, string> = {
    "dynamic.ts": 'export const later = () => import("./util.ts");\n',
    "resolve.ts": `export const where = ${META}.resolve("./util.ts");\n`,
    "meta.ts": `export const meta = ${META};\n`,
    "missing.ts": 'import { x } from "./nowhere.js";\nexport const y = x;\n',
    "imports.ts": 'import { x } from "#internal";\nexport const y = x;\n',
    "unknown.ts": 'import { x } from "not-installed";\nexport const y = x;\n',
    "sub.ts": 'import { x } from "threadlens/register";\nexport const y = x;\n',
    "broken.ts": "export const x: number = ;\n",
    "commonjs.cts": 'const fs = require("node:fs");\nmodule.exports = fs;\n',
    "indirect.ts": 'import { later } from "./dynamic.ts";\nexport const y = later;\n',
  };
  const { dir, done } = workspace({ ...cases, "util.ts": "export const u = 1;\n" });
  try {
    for (const name of Object.keys(cases))
      assert.equal(
        precompileWorkerEntry(path.join(dir, name), settings("refused")),
        undefined,
        name,
      );
  } finally {
    done();
  }
});
