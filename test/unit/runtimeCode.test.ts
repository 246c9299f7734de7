// The runtime bundle's code cache (src/runtime/runtimeCode.ts) and its ES module face
// (dist/runtime.mjs, written by the build): every thread loads the runtime, so both are on
// each worker's start path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import * as esm from "threadlens";
import { codeCacheFile, loadWithCodeCache } from "../../src/runtime/runtimeCode.ts";

const require = createRequire(import.meta.url);

test("loadWithCodeCache: compiled once and cached on disk, taken from the cache next time, one file per build", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-code-"));
  const file = path.join(dir, "bundle.js");
  const cacheFiles = (): string[] => {
    // The tag before the build key (whose node version is the only dotted part of the name).
    const tag = path.basename(codeCacheFile(file)).replace(/v\d+\.\d+\.\d+-.*$/, "");
    const cacheDir = path.dirname(codeCacheFile(file));
    return readdirSync(cacheDir)
      .filter((name) => name.startsWith(tag))
      .map((name) => path.join(cacheDir, name));
  };
  try {
    writeFileSync(file, "exports.value = 6 * 7;\nexports.file = __filename;\n");
    assert.equal(loadWithCodeCache(file), "compiled");
    const loaded = require(file) as { value: number; file: string };
    assert.deepEqual(loaded, { value: 42, file });
    // Registered as Node's own module: require() gets this instance.
    assert.equal(require(file), loaded);
    assert.equal(loadWithCodeCache(file), "loaded");
    assert.deepEqual(cacheFiles(), [codeCacheFile(file)]);

    delete require.cache[file];
    assert.equal(loadWithCodeCache(file), "cached");
    assert.equal((require(file) as { value: number }).value, 42);

    // Another build of the file: compiled anew, and its cache replaces the old one.
    delete require.cache[file];
    writeFileSync(file, "exports.value = 6 * 7 + 1;\n");
    assert.equal(loadWithCodeCache(file), "compiled");
    assert.equal((require(file) as { value: number }).value, 43);
    assert.deepEqual(cacheFiles(), [codeCacheFile(file)]);
  } finally {
    delete require.cache[file];
    for (const cached of cacheFiles()) rmSync(cached, { force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});

test("loadWithCodeCache: an error in the module leaves nothing registered", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-code-"));
  const file = path.join(dir, "throws.js");
  try {
    writeFileSync(file, 'throw new Error("broken bundle");\n');
    assert.throws(() => loadWithCodeCache(file), /broken bundle/);
    assert.equal(require.cache[file], undefined);
  } finally {
    rmSync(codeCacheFile(file), { force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});

test('import "threadlens" under the preload: the ES module face names every export of the one runtime', () => {
  const cjs = require("threadlens") as Record<string, unknown>;
  const names = Object.keys(esm).filter((name) => name !== "default");
  assert.deepEqual(names.sort(), Object.keys(cjs).sort());
  for (const name of names) assert.equal((esm as Record<string, unknown>)[name], cjs[name], name);
  assert.equal((esm as Record<string, unknown>)["default"], cjs);
});
