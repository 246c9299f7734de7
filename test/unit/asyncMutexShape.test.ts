// Which async-mutex ES module builds the preload instruments in place, without the module hooks
// (src/runtime/instrument/asyncMutexShape.ts): the shape of the installed 0.5 build, and not a
// build whose constructors define their fields (the setters that see constructions would never
// run) or whose tryAcquire does not go through withTimeout (its waits would not be timed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { asyncMutexSourcePatchable } from "../../src/runtime/instrument/asyncMutexShape.ts";

const require = createRequire(import.meta.url);
const build = path.join(path.dirname(require.resolve("async-mutex/package.json")), "index.mjs");
const source = readFileSync(build, "utf8");

test("the installed async-mutex ES module build is instrumented in place", () => {
  assert.equal(asyncMutexSourcePatchable(source), true);
});

test("a build of another shape is left to the module hooks", () => {
  const fields = source.replace("class Semaphore {", "class Semaphore {\n    _value = 0;");
  assert.notEqual(fields, source);
  assert.equal(asyncMutexSourcePatchable(fields.replace("this._value = _value;", "")), false);
  const ownTryAcquire = source.replace(
    "return withTimeout(sync, 0, alreadyAcquiredError);",
    "return sync;",
  );
  assert.notEqual(ownTryAcquire, source);
  assert.equal(asyncMutexSourcePatchable(ownTryAcquire), false);
});
