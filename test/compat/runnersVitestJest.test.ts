// Test runners under the preload (issue 11), the second half of runners.test.ts: vitest (threads
// and forks pools) and jest run the same suite plain, under the preload and under
// `threadlens run`, with the same pass counts and no finding (the tests in runnerSuite.ts).
import { runnerTests } from "./runnerSuite.ts";

runnerTests("vitest-jest", ["vitest (threads pool)", "vitest (forks pool)", "jest"]);
