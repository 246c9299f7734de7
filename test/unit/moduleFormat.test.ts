// Which syntax makes a file an ES module (src/runtime/moduleFormat.ts): what the TypeScript
// transform and the entry check both ask.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ESM_SYNTAX } from "../../src/runtime/moduleFormat.ts";
import { contentHash, formatOf } from "../../src/runtime/tsTransform.ts";

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

test("the compile cache names a module by its path, format and source (contentHash)", () => {
  const base = contentHash("1\0/p/a.ts\0module\0export const x = 1;\n");
  assert.match(base, /^[0-9a-z]{28}-[0-9a-z]+$/);
  assert.equal(contentHash("1\0/p/a.ts\0module\0export const x = 1;\n"), base, "stable");
  const variants = [
    "1\0/p/b.ts\0module\0export const x = 1;\n",
    "1\0/p/a.ts\0commonjs\0export const x = 1;\n",
    "1\0/p/a.ts\0module\0export const x = 2;\n",
    "1\0/p/a.ts\0module\0export const x = 1;\n\n",
    "1\0/p/a.ts\0module\0export const y = 1;\n",
  ];
  const hashes = new Set([base, ...variants.map(contentHash)]);
  assert.equal(hashes.size, variants.length + 1, "each change names another file");
  // Many near-identical sources, none sharing a name.
  const many = new Set(Array.from({ length: 20_000 }, (_, i) => contentHash(`const n = ${i};`)));
  assert.equal(many.size, 20_000);
});
