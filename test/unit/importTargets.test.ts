// A worker's dynamic imports in a JavaScript program (src/runtime/moduleHooks.ts,
// importTargets.ts): given the modules they load, those decide whether the thread starts the
// module hooks; a module required later that imports dynamically is judged the same way; and
// the files a worker's workerData names.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import {
  laterModuleNeedsHooks,
  moduleHooksPlan,
  needsModuleHooks,
} from "../../src/runtime/moduleHooks.ts";
import { namedModuleFiles } from "../../src/runtime/importTargets.ts";

function withDir(body: (file: (name: string, text: string) => string, dir: string) => void): void {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), "threadlens-targets-")));
  try {
    body((name, text) => {
      const full = path.join(dir, name);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, text);
      return full;
    }, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("an entry that imports dynamically, given the modules its imports load: those decide", () => {
  withDir((file) => {
    file("package.json", "{}");
    file(
      "node_modules/async-mutex/package.json",
      JSON.stringify({ exports: { ".": { import: "./index.mjs", require: "./index.js" } } }),
    );
    const build = file("node_modules/async-mutex/index.mjs", "export class Mutex {}\n");
    const loader = file("loader.mjs", "const task = await import(process.argv[2]);\n");
    const js = file("task.mjs", "export default 1;\n");
    const ts = file("task.ts", "export default 1;\n");
    const dynamic = file("dynamic.mjs", 'export default () => import("./task.mjs");\n');
    const mutex = file("mutex.mjs", 'import { Mutex } from "async-mutex";\nexport default 1;\n');
    // Not given (a main thread, a TypeScript program): the hooks, as before.
    assert.equal(moduleHooksPlan(loader), true);
    assert.deepEqual(moduleHooksPlan(loader, []), []);
    assert.deepEqual(moduleHooksPlan(loader, [js]), []);
    assert.equal(moduleHooksPlan(loader, [js, ts]), true);
    // A target that imports dynamically loads what nothing names.
    assert.equal(moduleHooksPlan(loader, [dynamic]), true);
    // async-mutex's ES module build: instrumented in place, as for an entry's own graph.
    assert.deepEqual(moduleHooksPlan(loader, [mutex]), [build]);
    // An entry that does not import dynamically: what its workerData names does not matter.
    assert.deepEqual(moduleHooksPlan(js, [ts]), []);
    // A CommonJS entry that imports dynamically.
    const cjsLoader = file("loader.cjs", "import(process.argv[2]).then(() => 0);\n");
    assert.deepEqual(moduleHooksPlan(cjsLoader, [js]), []);
    assert.equal(moduleHooksPlan(cjsLoader, [ts]), true);
  });
});

test("a module required later that imports dynamically, given the modules its imports load", () => {
  withDir((file) => {
    file("package.json", "{}");
    const js = file("task.mjs", "export default 1;\n");
    const ts = file("task.ts", "export default 1;\n");
    const later = file("later.js", "x;\n");
    const source = "module.exports = (f) => import(f);\n";
    assert.equal(laterModuleNeedsHooks(later, source, "commonjs"), true);
    assert.equal(laterModuleNeedsHooks(later, source, "commonjs", []), false);
    assert.equal(laterModuleNeedsHooks(later, source, "commonjs", [js]), false);
    assert.equal(laterModuleNeedsHooks(later, source, "commonjs", [ts]), true);
    // An ES module required: its static graph still needs them for TypeScript.
    file("uses-ts.mjs", 'import "./task.ts";\n');
    const esm = file("required.mjs", 'import "./uses-ts.mjs";\n');
    assert.equal(laterModuleNeedsHooks(esm, 'import "./uses-ts.mjs";\n', "module", []), true);
  });
});

test("a template literal's text is no import: tinypool's worker needs nothing of the hooks for it", () => {
  withDir((file) => {
    file("package.json", "{}");
    const entry = file(
      "worker.mjs",
      'import { a } from "./a.mjs";\nthrow new Error(`No handler exported from "${a}"`);\n',
    );
    file("a.mjs", "export const a = 1;\n");
    assert.equal(needsModuleHooks(entry), false);
  });
});

test("namedModuleFiles: the module files a workerData names, as paths or file URLs", () => {
  withDir((file, dir) => {
    const a = file("a.mjs", "");
    const b = file("sub/b.ts", "");
    const c = file("c.cjs", "");
    const deep = file("deep.js", "");
    file("notes.txt", "");
    const data = {
      filename: pathToFileURL(a).href,
      nested: { list: [b, path.join(dir, "missing.js"), 42, null], map: new Map([["c", c]]) },
      other: path.join(dir, "notes.txt"),
      words: new Int32Array(4),
      tooDeep: { one: { two: { three: { four: deep } } } },
    };
    assert.deepEqual(namedModuleFiles(data).sort(), [a, b, c].sort());
    assert.deepEqual(namedModuleFiles(undefined), []);
    assert.deepEqual(namedModuleFiles("not a file"), []);
    assert.deepEqual(namedModuleFiles(pathToFileURL(deep).href), [deep]);
  });
});
