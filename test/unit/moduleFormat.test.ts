// Which syntax makes a file an ES module (src/runtime/moduleFormat.ts): what the TypeScript
// transform and the entry check both ask.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ESM_SYNTAX } from "../../src/runtime/moduleFormat.ts";
import { formatOf } from "../../src/runtime/tsTransform.ts";

test("import/export, import.meta and top-level await are module syntax", () => {
  for (const source of [
    'import { Lock } from "threadlens";',
    "export const x = 1;",
    "console.log(import.meta.url);",
    "await main();",
    "const woken = await result.value;",
    "let data: string[] = await load();",
    'const [question] = await once(worker, "message");',
    "for await (const line of lines) console.log(line);",
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

test("a TypeScript file with require( and top-level await is a module; with require( and imports only, CommonJS", () => {
  const worker = 'const worker = new Worker(`require("node:worker_threads")`, { eval: true });';
  const file = "/nowhere/threadlens-format-probe/program.ts";
  assert.equal(
    formatOf(
      file,
      `import { once } from "node:events";\n${worker}\nconst [m] = await once(worker, "message");`,
    ),
    "module",
  );
  assert.equal(
    formatOf(
      file,
      `import { once } from "node:events";\n${worker}\nfor await (const m of on(worker, "message")) break;`,
    ),
    "module",
  );
  assert.equal(
    formatOf(
      file,
      `import { once } from "node:events";\nconst fs = require("node:fs");\nexport {};`,
    ),
    "commonjs",
  );
});
