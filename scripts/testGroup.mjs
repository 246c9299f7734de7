// One process for several test files (scripts/test.mjs runs the pure unit tiers' folders so:
// each file's own process cost about as much CPU time as its tests, a node start, the preload
// and the modules they share). `node --import ./dist/register.mjs
// --test-reporter=./scripts/testGroupReporter.mjs scripts/testGroup.mjs a.test.ts b.test.ts`:
// the files are imported in the order given and node's test runner runs their tests one after
// another, as it runs one file's; testGroupReporter.mjs prints them file by file. A file that
// cannot be loaded is named on stderr (`# <file>: cannot load: ...`) and fails the process.
import path from "node:path";
import { pathToFileURL } from "node:url";

for (const file of process.argv.slice(2)) {
  try {
    await import(pathToFileURL(path.resolve(file)).href);
  } catch (error) {
    process.exitCode = 1;
    process.stderr.write(`# ${file}: cannot load: ${error?.stack ?? String(error)}\n`);
  }
}
