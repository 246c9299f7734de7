// Which syntax makes a file an ES module (src/runtime/moduleFormat.ts): what the TypeScript
// transform and the entry check both ask.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ESM_SYNTAX } from "../../src/runtime/moduleFormat.ts";

test("import/export, import.meta and top-level await are module syntax", () => {
  for (const source of [
    'import { Lock } from "threadlens";',
    "export const x = 1;",
    "console.log(import.meta.url);",
    "await main();",
    "const woken = await result.value;",
    "let data: string[] = await load();",
  ]) {
    assert.equal(ESM_SYNTAX.test(source), true, source);
  }
});

test("await inside functions, require and plain statements are not", () => {
  for (const source of [
    "async function f() {\n  await g();\n}",
    "const f = async () => {\n  const x = await g();\n};",
    'const fs = require("node:fs");',
    "module.exports = { awaitable: true };",
    "const awaited = 1;",
  ]) {
    assert.equal(ESM_SYNTAX.test(source), false, source);
  }
});
