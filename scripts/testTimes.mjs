// A node:test reporter for scripts/test.mjs: per test file, the sum of its top-level tests'
// durations (ms), written as one JSON object when the run ends. scripts/test.mjs keeps these
// from run to run to start the slowest files first and to print each tier's slowest files.
export default async function* testTimes(source) {
  const perFile = {};
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    const { nesting, file, details } = event.data;
    if (nesting !== 0 || file === undefined) continue;
    perFile[file] = (perFile[file] ?? 0) + (details?.duration_ms ?? 0);
  }
  yield JSON.stringify(perFile);
}
