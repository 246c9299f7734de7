// The recorder thread under the plain preload (`node --import threadlens/register`, no
// supervisor) starts when the program first needs it (runtime/recorderStart.ts): a program that
// ends first is analyzed in its main thread at exit. Each case runs twice, lazily and with the
// recorder started with the program (THREADLENS_LAZY_RECORDER=0), and both say the same.
import { test } from "node:test";
import assert from "node:assert/strict";
import { preloadRun, preloadRunAsync } from "./cliJson.ts";

const lazyEnv = (lazy: boolean) => ({ env: { THREADLENS_LAZY_RECORDER: lazy ? "1" : "0" } });
const runPlain = (program: string, lazy: boolean) => preloadRun(program, [], lazyEnv(lazy));
const runPlainAsync = (program: string, lazy: boolean) =>
  preloadRunAsync(program, [], lazyEnv(lazy));

/** The finding lines of the human report: severity and kind, then the message. */
function findingLines(stderr: string): string[] {
  const lines = stderr.split("\n");
  return lines.flatMap((line, i) =>
    /^(?:WARNING|ERROR): threadlens: /.test(line) ? [line, (lines[i + 1] ?? "").trim()] : [],
  );
}

test("a short program that never waits: its potential deadlock reported at exit", () => {
  const program = "test/fixtures/preload/async-mutex-inversion.js";
  const lazy = runPlain(program, true);
  assert.equal(lazy.status, 0);
  assert.equal(lazy.stdout, "done\n");
  const at = (line: number) => `test/fixtures/preload/async-mutex-inversion.js:${line}`;
  assert.deepEqual(findingLines(lazy.stderr), [
    "WARNING: threadlens: potential-deadlock",
    "potential deadlock: lock-order inversion first → second → first: main/Promise.all[0] " +
      `takes second while holding first (${at(13)}); main/Promise.all[1] takes first while ` +
      `holding second (${at(13)})`,
  ]);
  assert.match(lazy.stderr, new RegExp(`while holding, acquired at ${at(12)}:3`));
  assert.deepEqual(runPlain(program, false), lazy);
});

test("a deadlock that lets the event loop drain: reported at exit, exit code 2", () => {
  const program = "test/fixtures/instrument/s14-async-mutex.ts";
  const lazy = runPlain(program, true);
  assert.equal(lazy.status, 2);
  const branch = (i: number) => `main/Promise.all[${i}]@s14-async-mutex.ts:17`;
  assert.deepEqual(findingLines(lazy.stderr).slice(0, 2), [
    "ERROR: threadlens: deadlock",
    `deadlock: ${branch(0)} holds accountA and waits for accountB; ${branch(1)} holds ` +
      "accountB and waits for accountA (cycle accountA → accountB → accountA)",
  ]);
  assert.deepEqual(runPlain(program, false), lazy);
});

test("a deadlock while the event loop stays alive: the recorder starts once a wait stays open", () => {
  const program = "test/fixtures/preload/lazy-alive-deadlock.mjs";
  const lazy = runPlain(program, true);
  assert.equal(lazy.status, 2);
  const branch = (i: number) => `main/Promise.all[${i}]@lazy-alive-deadlock.mjs:18`;
  const expected = [
    "ERROR: threadlens: deadlock",
    `deadlock: ${branch(0)} holds a and waits for b; ${branch(1)} holds b and waits for a ` +
      "(cycle a → b → a)",
  ];
  assert.deepEqual(findingLines(lazy.stderr), expected);
  const atOnce = runPlain(program, false);
  assert.equal(atOnce.status, 2);
  assert.deepEqual(findingLines(atOnce.stderr), expected);
});

test("main blocking in Atomics.wait with no other thread: the recorder starts before it blocks", async () => {
  const program = "test/fixtures/preload/lazy-main-blocks.cjs";
  // Both runs at once: each waits for the hang to be found and the program killed.
  const runs = await Promise.all([true, false].map((lazy) => runPlainAsync(program, lazy)));
  for (const r of runs) {
    // The hang stops the program; main cannot run its exit in Atomics.wait: killed.
    assert.equal(r.signal, "SIGKILL");
    assert.equal(r.stdout, "");
    const lines = findingLines(r.stderr);
    assert.equal(lines[0], "ERROR: threadlens: hang");
    assert.match(
      lines[1] ?? "",
      /main waits in Atomics\.wait on Int32Array\[0\]@lazy-main-blocks\.cjs:3, which no live thread can notify$/,
    );
  }
});

test("a program that records much and never waits: its recorder starts and drains as it runs", () => {
  const r = runPlain("test/fixtures/preload/lazy-many-events.mjs", true);
  assert.equal(r.status, 0);
  assert.equal(r.stdout, "done\n");
  // 120,000 events (an acquired and a release per turn) through a ring of 65,536: a recorder
  // that did not drain while main ran would lose 54,464 of them. Ring overflow never blocks
  // the program (DESIGN 4): on a machine so loaded that the recorder thread is not scheduled
  // for a while, a few are lost, and the report counts them (nothing, on a quiet machine).
  const lost =
    /^threadlens: no findings \((\d+) events dropped: the analysis may be incomplete\)\n$/;
  if (r.stderr !== "") assert.match(r.stderr, lost);
  const dropped = Number(lost.exec(r.stderr)?.[1] ?? 0);
  assert.ok(dropped < 12_000, `${dropped} events dropped: the recorder did not keep up`);
});

test("a program that takes many locks and records little: its recorder starts for the clock", () => {
  // 600,000 isolated holds, sampled: a few events, but as many reads of the time, precise ones
  // until a recorder keeps the coarse clock. Main asks for its recorder after 524,288 of them.
  const r = runPlain("test/fixtures/preload/lazy-many-holds.mjs", true);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "recorder code loaded in main: false\n");
});

test("a program that records nothing but its own start is not analyzed at exit", () => {
  const program = "test/fixtures/preload/lazy-nothing.mjs";
  const nothing = runPlain(program, true);
  assert.equal(nothing.status, 0);
  assert.equal(nothing.stdout, "recorder code loaded: false\n");
  assert.equal(nothing.stderr, "");
  // A Lock taken and given back: analyzed at exit (it finds nothing either).
  const lock = preloadRun(program, ["lock"], { env: { THREADLENS_LAZY_RECORDER: "1" } });
  assert.equal(lock.status, 0);
  assert.equal(lock.stdout, "recorder code loaded: true\n");
  assert.equal(lock.stderr, "");
});
