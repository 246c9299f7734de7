// The README states, per finding kind, when it is raised and when not: the same text as the
// one table the code follows (src/protocol/findingRules.ts), so neither drifts from the other.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { FINDING_RULES, readmeRow, stopsProgram } from "../../../src/protocol/findingRules.ts";
import { FINDING_KINDS } from "../../../src/protocol/report.ts";

test("the README's table has each finding kind's row, as the code's table says it", () => {
  const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
  for (const kind of FINDING_KINDS) assert.ok(readme.includes(readmeRow(kind)), readmeRow(kind));
});

test("exactly the actual deadlocks and hangs stop the program and head as errors", () => {
  const stopping = FINDING_KINDS.filter((kind) => stopsProgram(kind));
  assert.deepEqual(stopping, ["deadlock", "self-deadlock", "hang"]);
  for (const kind of FINDING_KINDS) {
    assert.equal(FINDING_RULES[kind].severity, stopsProgram(kind) ? "ERROR" : "WARNING");
  }
});
