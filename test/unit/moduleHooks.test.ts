// Which threads start the ES module hooks (src/runtime/moduleHooks.ts): only a CommonJS
// JavaScript entry without a dynamic import does without them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { needsModuleHooks, workerEntry } from "../../src/runtime/moduleHooks.ts";

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
    assert.equal(needsModuleHooks(file("esm.js", 'import fs from "node:fs";\n')), true);
    assert.equal(needsModuleHooks(file("dyn.js", 'void import("./x.ts");\n')), true);
    assert.equal(needsModuleHooks(file("dyn.cjs", "void import ('./x.mjs');\n")), true);
    assert.equal(needsModuleHooks(file("module.mjs", "\n")), true);
    assert.equal(needsModuleHooks(file("app.ts", "\n")), true);
    assert.equal(needsModuleHooks(file("app.cts", "\n")), true);
    file("esm/package.json", `{ "type": "module" }`);
    assert.equal(needsModuleHooks(file("esm/plain.js", "\n")), true);
    assert.equal(needsModuleHooks(file("esm/plain.cjs", "\n")), false);
    assert.equal(needsModuleHooks(path.join(dir, "missing.js")), true);
    assert.equal(needsModuleHooks(undefined), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("workerEntry: a path, a file URL, or no file for evaluated code", () => {
  const file = path.resolve("w.js");
  assert.deepEqual(workerEntry("./w.js", false), { file });
  assert.deepEqual(workerEntry(pathToFileURL(file), false), { file });
  assert.deepEqual(workerEntry(pathToFileURL(file).href, false), { file });
  assert.deepEqual(workerEntry("console.log(1)", true), { file: undefined });
  assert.deepEqual(workerEntry("data:text/javascript,1", false), { file: undefined });
});
