// Which threads start the ES module hooks (src/runtime/moduleHooks.ts, esmGraph.ts): a
// CommonJS JavaScript entry without a dynamic import, or an ES module entry whose static graph
// has no TypeScript, dynamic import, async-mutex ES module build or foreign `threadlens`.
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
  workerEntry,
} from "../../src/runtime/moduleHooks.ts";
import { hasDynamicImport, setOwnRuntimeFace } from "../../src/runtime/esmGraph.ts";

test("needsModuleHooks: by extension, package type, syntax and dynamic import", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-hooks-"));
  try {
    const file = (name: string, text: string): string => {
      const full = path.join(dir, name);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, text);
      return full;
    };
    writeFileSync(path.join(dir, "package.json"), "{}");
    assert.equal(needsModuleHooks(file("plain.js", 'require("node:fs");\n')), false);
    assert.equal(needsModuleHooks(file("plain.cjs", 'require("node:fs");\n')), false);
    assert.equal(needsModuleHooks(file("esm.js", 'import fs from "node:fs";\n')), false);
    assert.equal(needsModuleHooks(file("dyn.js", 'void import("./x.ts");\n')), true);
    assert.equal(needsModuleHooks(file("dyn.cjs", "void import ('./x.mjs');\n")), true);
    assert.equal(needsModuleHooks(file("module.mjs", "\n")), false);
    assert.equal(needsModuleHooks(file("app.ts", "\n")), true);
    assert.equal(needsModuleHooks(file("app.cts", "\n")), true);
    file("esm/package.json", `{ "type": "module" }`);
    assert.equal(needsModuleHooks(file("esm/plain.js", "\n")), false);
    assert.equal(needsModuleHooks(file("esm/plain.cjs", "\n")), false);
    assert.equal(needsModuleHooks(path.join(dir, "missing.js")), true);
    assert.equal(needsModuleHooks(undefined), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("needsModuleHooks of an ES module entry: what its static graph reaches", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-graph-"));
  try {
    const file = (name: string, text: string): string => {
      const full = path.join(dir, name);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, text);
      return full;
    };
    const pkg = (name: string, json: object, files: Record<string, string>): void => {
      file(`node_modules/${name}/package.json`, JSON.stringify(json));
      for (const [f, text] of Object.entries(files)) file(`node_modules/${name}/${f}`, text);
    };
    writeFileSync(path.join(dir, "package.json"), "{}");
    // A CommonJS package, an ES module one (exports with conditions, a subpath pattern), and
    // one whose ES module build imports dynamically.
    pkg("cjs-lib", { main: "lib/index" }, { "lib/index.js": "module.exports = 1;\n" });
    pkg(
      "esm-lib",
      {
        type: "module",
        exports: {
          ".": { types: "./x.d.ts", import: "./dist/index.js", require: "./cjs.cjs" },
          "./sub/*": "./dist/sub/*.js",
        },
      },
      {
        "dist/index.js": 'export * from "./inner.js";\nimport "cjs-lib";\n',
        "dist/inner.js": "export const x = 1;\n",
        "dist/sub/a.js": 'import("./dyn.js");\n',
      },
    );
    pkg(
      "dyn-lib",
      { exports: { import: "./index.mjs", default: "./index.cjs" } },
      {
        "index.mjs": "export const load = (f) => import(f);\n",
        "index.cjs": "module.exports = {};\n",
      },
    );
    pkg(
      "async-mutex",
      { exports: { import: "./index.mjs", require: "./lib/index.js" } },
      {
        "index.mjs": "export class Mutex {}\n",
      },
    );
    pkg(
      "threadlens",
      { exports: { import: "./dist/runtime.mjs" } },
      {
        "dist/runtime.mjs": "export {};\n",
      },
    );
    file("util.ts", "export const u = 1;\n");
    file("helper.mjs", 'import { x } from "esm-lib";\nexport const h = x;\n');
    const entry = (name: string, text: string): boolean => needsModuleHooks(file(name, text));

    assert.equal(entry("a.mjs", 'import { h } from "./helper.mjs";\nimport "node:test";\n'), false);
    assert.equal(
      entry("b.mjs", 'import lib from "cjs-lib";\nexport * from "./helper.mjs";\n'),
      false,
    );
    assert.equal(entry("c.mjs", 'import { load } from "dyn-lib";\n'), true);
    assert.equal(entry("d.mjs", 'import "esm-lib/sub/a";\n'), true);
    assert.equal(entry("e.mjs", 'import { u } from "./util.ts";\n'), true);
    assert.equal(entry("f.mjs", 'import { Mutex } from "async-mutex";\n'), true);
    // The preload's ES module build instruments async-mutex's ES module build in place: the
    // plan names the build when it is all the graph needs the hooks for.
    const asyncMutexBuild = realpathSync(path.join(dir, "node_modules/async-mutex/index.mjs"));
    assert.deepEqual(moduleHooksPlan(path.join(dir, "f.mjs")), [asyncMutexBuild]);
    const both = file("f2.mjs", 'import "./f.mjs";\nimport { h } from "./helper.mjs";\n');
    assert.deepEqual(moduleHooksPlan(both), [asyncMutexBuild]);
    const withTs = file("f3.mjs", 'import "./f.mjs";\nimport { u } from "./util.ts";\n');
    assert.equal(moduleHooksPlan(withTs), true);
    assert.deepEqual(moduleHooksPlan(path.join(dir, "a.mjs")), []);
    assert.equal(entry("g.mjs", 'import { nothing } from "not-installed";\n'), true);
    assert.equal(entry("h.mjs", 'import { u } from "./util.js";\n'), true);
    assert.equal(entry("i.mjs", 'import x from "#internal";\n'), true);
    // A string the specifier pattern takes for one, that is no URI: not a crash, and no reason
    // for the hooks (Node loads no module by such a specifier, with or without them).
    assert.equal(entry("bad.mjs", "const s = \"from '%E0%A4%A'\";\n"), false);
    assert.equal(entry("format.mjs", 'const m = \'cannot resolve "%s" from "%s"\';\n'), false);
    // Comment lines are no imports; code after a closed block comment is.
    assert.equal(
      entry("doc.mjs", '// import { u } from "./util.ts";\n/**\n * import "nope";\n */\n'),
      false,
    );
    assert.equal(entry("after.mjs", '/* c */ import { u } from "./util.ts";\n'), true);
    // `threadlens`: another copy goes through the hooks, the preload's own copy does not.
    assert.equal(entry("j.mjs", 'import { Lock } from "threadlens";\n'), true);
    setOwnRuntimeFace(path.join(dir, "node_modules/threadlens/dist/runtime.mjs"));
    assert.equal(entry("k.mjs", 'import { Lock } from "threadlens";\n'), false);
    // Modules that require() loads later, in a thread that started without the hooks.
    assert.equal(laterModuleNeedsHooks(file("l.js", "x;\n"), "import(f);\n", "commonjs"), true);
    assert.equal(laterModuleNeedsHooks(file("m.js", "x;\n"), "require('y');\n"), false);
    const required = file("n.mjs", 'import "async-mutex";\n');
    assert.equal(laterModuleNeedsHooks(required, 'import "async-mutex";\n', "module"), true);
    const plain = file("o.js", 'import "./helper.mjs";\n');
    assert.equal(laterModuleNeedsHooks(plain, 'import "./helper.mjs";\n', undefined), false);
  } finally {
    setOwnRuntimeFace("");
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the preload's late-hooks fixture starts without them", () => {
  const fixture = path.resolve("test/fixtures/preload/late-main.mjs");
  assert.equal(needsModuleHooks(fixture), false);
  assert.equal(
    needsModuleHooks(path.resolve("test/fixtures/preload/async-mutex-inversion.mjs")),
    true,
  );
});

test("hasDynamicImport: calls count, comment lines and JSDoc types do not", () => {
  assert.equal(hasDynamicImport('const m = await import("./x.js");\n'), true);
  assert.equal(hasDynamicImport("load(() => import (file));\n"), true);
  assert.equal(hasDynamicImport('x = 1; // then import("y")\n'), true);
  assert.equal(
    hasDynamicImport("/**\n * @returns {import('./types.js').Resolver} r\n */\n"),
    false,
  );
  assert.equal(hasDynamicImport("/** @type {import('./t').Task[]} */\nconst tasks = [];\n"), false);
  assert.equal(hasDynamicImport("  // import('./later.js') once ready\nrun();\n"), false);
  assert.equal(hasDynamicImport("function f(/** @param {import('a').B} */ b) {}\n"), false);
  assert.equal(hasDynamicImport("const important = require('x');\n"), false);
  // A block comment closed before it on its line is not a comment line.
  assert.equal(hasDynamicImport('/* istanbul ignore next */ const m = import("./x.js");\n'), true);
  assert.equal(hasDynamicImport('/* later: import("./x.js") */\n'), false);
});

test("workerEntry: a path, a file URL, or no file for evaluated code", () => {
  const file = path.resolve("w.js");
  assert.deepEqual(workerEntry("./w.js", false), { file });
  assert.deepEqual(workerEntry(pathToFileURL(file), false), { file });
  assert.deepEqual(workerEntry(pathToFileURL(file).href, false), { file });
  assert.deepEqual(workerEntry("console.log(1)", true), { file: undefined });
  assert.deepEqual(workerEntry("data:text/javascript,1", false), { file: undefined });
});
