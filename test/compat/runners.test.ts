// Test runners under the preload (issue 11): node --test, mocha and tap run the same suite
// (test/fixtures/compat/runners: a worker joined through its 'exit', an Atomics handshake,
// async-mutex, Promise.all branches) plain, under `node --import threadlens/register` and under
// `threadlens run`, with the same pass counts, and no finding on this correct code (the tests
// in runnerSuite.ts). vitest and jest are runnersVitestJest.test.ts: the compat files start
// only once the corpus is installed, and one file of all six runners was the longest of them.
import { runnerTests } from "./runnerSuite.ts";

runnerTests("node-mocha-tap", ["node --test", "mocha", "tap"]);
