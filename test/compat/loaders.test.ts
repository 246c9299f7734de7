// The preload beside other TypeScript loaders (issue 11): ts-node and @swc-node/register
// (CommonJS require hooks, given with -r, which runs before --import, or registered later by
// a test runner), tsx (ES module hooks and a require hook). Where another loader handles .ts
// files, it compiles them, with its own tsconfig settings, and threadlens still records: a
// program's output is the same as under that loader alone, and a deadlock is still found, at
// its TypeScript lines. The loaders are the real packages (scripts/corpus-setup.mjs).
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ensureCorpus, node, pkg, plainNode, register, root, threadlensRun } from "./corpus.ts";

const project = path.join(root, "test/fixtures/compat/project");

before(ensureCorpus);

const LOADERS = {
  "ts-node": () => ["--require", pkg("ts-node", "register")],
  tsx: () => ["--import", pkg("tsx", "dist/loader.mjs")],
  "@swc-node/register": () => ["--require", pkg("@swc-node/register", "index.js")],
};

function lineOf(file: string, text: string): number {
  const lines = readFileSync(path.join(project, file), "utf8").split("\n");
  const i = lines.findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `${text} not in ${file}`);
  return i + 1;
}

for (const [name, loader] of Object.entries(LOADERS)) {
  test(`${name}: compiles its files under the preload, as without it`, () => {
    const outputs = new Map<string, string>();
    for (const program of ["format.ts", "decorators.ts"]) {
      const alone = plainNode([...loader(), program], project);
      assert.equal(alone.status, 0, alone.stderr);
      const withPreload = node([...loader(), "--import", register, program], project);
      assert.equal(withPreload.status, 0, withPreload.stderr);
      assert.equal(withPreload.stdout, alone.stdout);
      assert.doesNotMatch(withPreload.stderr, /threadlens/);
      outputs.set(program, withPreload.stdout);
    }
    // The loader's semantics, not threadlens' own transform's: CommonJS for `import` syntax in
    // a CommonJS package (threadlens alone would run it as an ES module).
    assert.equal(outputs.get("format.ts"), "/ function\n");
  });

  test(`${name}: threadlens run still finds the deadlock, at the TypeScript lines`, () => {
    const { status, report } = threadlensRun("deadlock.ts", [], project, {
      NODE_OPTIONS: loader().join(" "),
    });
    assert.equal(status, 2);
    assert.deepEqual(
      report.findings.map((f) => f.kind),
      ["deadlock"],
    );
    const deadlock = report.findings[0];
    assert.deepEqual(deadlock?.threads, ["one", "two"]);
    assert.deepEqual(deadlock?.locks, ["accounts", "audit"]);
    const first = lineOf("deadlock.ts", "await first.acquire()");
    const second = lineOf("deadlock.ts", "await second.acquire()");
    const sites = deadlock?.sites.map((s) => [s.thread, path.basename(s.file), s.line]) ?? [];
    if (name === "@swc-node/register") {
      // swc-node maps stacks with its own Error.prepareStackTrace (@swc-node/sourcemap-support),
      // which places frames inside an async function one line up; threadlens reports the
      // stack the loader gives it.
      assert.deepEqual(
        sites.map(([thread, file]) => [thread, file]),
        [
          ["one", "deadlock.ts"],
          ["one", "deadlock.ts"],
          ["two", "deadlock.ts"],
          ["two", "deadlock.ts"],
        ],
      );
      for (const [, , line] of sites)
        assert.ok(Number(line) >= first - 1 && Number(line) <= second);
      return;
    }
    assert.deepEqual(sites, [
      ["one", "deadlock.ts", first],
      ["one", "deadlock.ts", second],
      ["two", "deadlock.ts", first],
      ["two", "deadlock.ts", second],
    ]);
  });
}

test("threadlens alone runs `import` syntax in a CommonJS package as an ES module", () => {
  // The contrast that makes the test above able to fail: its expected output is not what the
  // preload would print if it had taken the file over.
  const r = node(["--import", register, "format.ts"], project);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "/ undefined\n");
  const decorators = node(["--import", register, "decorators.ts"], project);
  assert.equal(decorators.stdout, "standard decorator (2 args)\nfunction\n");
});

test("ts-node under mocha: a suite ts-node compiles passes under the preload, whichever comes first", () => {
  // callable.spec.ts calls a namespace import (`import * as assert from "assert"`), which only
  // ts-node's compilation makes callable: issue 11's `TypeError: assert is not a function`.
  const mocha = pkg("mocha", "bin/mocha.js");
  const tsNode = pkg("ts-node", "register");
  const spec = ["--reporter", "dot", "callable.spec.ts"];
  const runs = {
    alone: plainNode(["--require", tsNode, mocha, ...spec], project),
    "-r before --import": node(
      ["--require", tsNode, "--import", register, mocha, ...spec],
      project,
    ),
    "mocha's --require after the preload": node(
      ["--import", register, mocha, "--require", tsNode, ...spec],
      project,
    ),
    "recording off": node(["--require", tsNode, "--import", register, mocha, ...spec], project, {
      THREADLENS_RECORD: "0",
    }),
  };
  for (const [how, r] of Object.entries(runs)) {
    assert.equal(r.status, 0, `${how}:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /2 passing/, how);
    assert.doesNotMatch(r.stdout, /failing/, how);
  }
});
