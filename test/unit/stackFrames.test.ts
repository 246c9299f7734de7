// Reading V8 stack lines (src/runtime/stackFrames.ts), the shapes V8 prints.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseFrame } from "../../src/runtime/stackFrames.ts";

test("a named frame, an async named frame, a top-level frame, a file URL", () => {
  assert.deepEqual(parseFrame("    at doA (/app/src/bank.ts:12:9)"), {
    file: "/app/src/bank.ts",
    line: 12,
    column: 9,
    functionName: "doA",
  });
  assert.deepEqual(parseFrame("    at async Pool.run (/app/pool.js:3:1)"), {
    file: "/app/pool.js",
    line: 3,
    column: 1,
    functionName: "Pool.run",
  });
  assert.deepEqual(parseFrame("    at /app/main.ts:40:2"), {
    file: "/app/main.ts",
    line: 40,
    column: 2,
    functionName: "",
  });
  assert.deepEqual(parseFrame("    at file:///app/a%20b.mjs:1:5"), {
    file: "/app/a b.mjs",
    line: 1,
    column: 5,
    functionName: "",
  });
});

test("an async frame with no function name is the file, not 'async <file>'", () => {
  assert.deepEqual(parseFrame("    at async /pkg/dist/runtime.js:4439:16"), {
    file: "/pkg/dist/runtime.js",
    line: 4439,
    column: 16,
    functionName: "",
  });
  assert.deepEqual(parseFrame("    at async file:///app/main.mjs:7:3"), {
    file: "/app/main.mjs",
    line: 7,
    column: 3,
    functionName: "",
  });
});

test("lines that are not frames", () => {
  assert.equal(parseFrame("Error: boom"), undefined);
  assert.equal(parseFrame("    at new Promise (<anonymous>)"), undefined);
});

test("V8's name for a function passed to spawn before its options is no name", () => {
  for (const text of [
    "    at spawn.name (/app/main.ts:11:42)",
    "    at spawn.daemon (/app/main.ts:11:42)",
    "    at async tl.spawn.name (/app/main.ts:11:42)",
  ]) {
    assert.equal(parseFrame(text)?.functionName, "", text);
  }
  // Names the program gave stay.
  assert.equal(parseFrame("    at Object.name (/app/main.ts:3:1)")?.functionName, "Object.name");
  assert.equal(parseFrame("    at respawn.name (/app/main.ts:3:1)")?.functionName, "respawn.name");
  assert.equal(
    parseFrame("    at Pool.run.name (/app/main.ts:3:1)")?.functionName,
    "Pool.run.name",
  );
});
