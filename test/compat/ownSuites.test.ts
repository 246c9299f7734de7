// A real package's own published tests under the preload (DESIGN 5.6: correct code, no
// finding). thread-stream's thread-management file (pino's worker transport): workers ended by
// exit, crash, unhandled rejection and garbage collection, a ref'd flush over its Atomics ring,
// and a child process that keeps its worker alive until the test kills it (an unjoined-thread
// once). Run from the installed package (scripts/corpus-setup.mjs), plain and under the preload:
// the same 7 passing tests (one left out, see SELECTED), and threadlens says nothing but that the killed child's recording
// was cut. The rest of its suite, and sonic-boom's and atomic-sleep's, are in
// `npm run bench:realworld` (too long for this tier).
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { ensureCorpus, node, pkg, plainNode, register } from "./corpus.ts";

before(ensureCorpus);

/**
 * Every test of the file but "flush callback fires after unref on an idle event loop", which
 * fails on a loaded machine in plain node too (its child exits once the flush callback ran,
 * which can be before the worker's file stream has written: the file is empty). Selected by
 * name: Node 20 runs a test whose name or any ancestor's matches, and the file's own name is
 * an ancestor, so a negative pattern would select them all.
 */
const SELECTED = [
  "exits with 0",
  "flush callback does not unref a stream the user has ref'd",
  "emit error if thread exits",
  "emit error if thread have unhandledRejection",
  "emit error if worker stream emit error",
  "emit error if thread have uncaughtException",
  "close the work if out of scope on gc",
];
const escaped = SELECTED.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));

const ARGS = [
  "--expose-gc",
  "--test",
  "--test-reporter=tap",
  "--test-concurrency=1",
  `--test-name-pattern=^(${escaped.join("|")})$`,
  "test/thread-management.test.js",
];

function counts(output: string): [number, number, number] {
  const count = (name: string): number =>
    Number(new RegExp(`^# ${name} (\\d+)$`, "m").exec(output)?.[1] ?? -1);
  return [count("tests"), count("pass"), count("fail")];
}

test("thread-stream's own thread-management tests: the same passes under the preload, no finding", () => {
  const cwd = pkg("thread-stream");
  const plain = plainNode(ARGS, cwd);
  assert.deepEqual(counts(plain.stdout), [8, 7, 0], plain.stdout + plain.stderr);
  const preload = node(["--import", register, ...ARGS], cwd);
  assert.equal(preload.status, 0, preload.stdout + preload.stderr);
  assert.deepEqual(counts(preload.stdout), [8, 7, 0], preload.stdout);
  // node --test shows the test file's stderr as `# ` lines: threadlens' report is there.
  const said = `${preload.stdout}\n${preload.stderr}`
    .split("\n")
    .map((line) => line.replace(/^#\s?/, ""))
    .filter((line) => line.startsWith("threadlens") || /threadlens: /.test(line));
  assert.deepEqual(
    said.map((line) => line.replace(/\(pid \d+\)/, "(pid N)")),
    [
      "threadlens: process flush-ref-keeps-alive (pid N) died without exiting (a signal or a crash): its recording ends with its recorder's last drain, up to 5 ms before its death",
      "threadlens: no findings",
    ],
  );
});
