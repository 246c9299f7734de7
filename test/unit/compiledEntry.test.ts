// The supervisor's choice to start a program on its TypeScript entry compiled ahead
// (src/launch/compiledEntry.ts): only with no Node options of the program's that load other
// code or change how imports resolve, and not when turned off.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { compiledProgramEntry } from "../../src/launch/compiledEntry.ts";

const root = path.resolve(__dirname, "../..");
const dist = path.join(root, "dist");
const program = path.join(root, "test/fixtures/schedules/clean.ts");

test("a TypeScript entry is compiled ahead unless the program's Node options or settings say otherwise", () => {
  const compiled = compiledProgramEntry(program, dist, [], {});
  assert.ok(compiled !== undefined && /clean-\w+\.mjs$/.test(compiled), String(compiled));
  assert.equal(compiledProgramEntry(program, dist, ["--stack-size=2000"], {}), compiled);
  const declined: [string, readonly string[], NodeJS.ProcessEnv][] = [
    ["another --import", ["--import", "tsx"], {}],
    ["a --require", ["-r", "./setup.cjs"], {}],
    ["a --loader", ["--loader=ts-node/esm"], {}],
    ["conditions", ["--conditions=development"], {}],
    ["preserved symlinks", ["--preserve-symlinks"], {}],
    ["NODE_OPTIONS with a preload", [], { NODE_OPTIONS: "--require ./setup.cjs" }],
    ["turned off", [], { THREADLENS_WORKER_PRECOMPILE: "0" }],
  ];
  for (const [why, args, env] of declined)
    assert.equal(compiledProgramEntry(program, dist, args, env), undefined, why);
  assert.equal(
    compiledProgramEntry(path.join(root, "test/fixtures/preload/late-main.mjs"), dist, [], {}),
    undefined,
    "JavaScript",
  );
});
