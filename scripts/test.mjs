// `npm test`'s last step: every test tier. Through node's test runner, TypeScript test files
// loaded with threadlens' own preload: unit (test/unit), then programs run as child processes
// (test/programs), then the debug adapter driven over DAP (test/adapter), then other TypeScript
// loaders and test runners beside the preload (test/compat: ts-node, tsx, @swc-node/register,
// node --test, mocha, tap, vitest, jest, installed by scripts/corpus-setup.mjs); Node 20's runner
// takes no globs, so files are listed here. Then the extension in a real VS Code (test/e2e:
// code-server + chromium, its own harness), which runs even when an earlier tier failed so
// one run shows every failure.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const tiers =
  process.argv.slice(2).length > 0
    ? process.argv.slice(2)
    : ["test/unit", "test/programs", "test/adapter", "test/compat", "test/e2e"];
const E2E = "test/e2e";

function testFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...testFiles(full));
    else if (name.endsWith(".test.ts")) out.push(path.relative(root, full));
  }
  return out;
}

const files = tiers
  .filter((tier) => tier !== E2E)
  .flatMap((tier) => testFiles(path.join(root, tier)));
let status = 0;
if (files.length > 0) {
  const result = spawnSync(
    process.execPath,
    ["--import", "./dist/register.mjs", "--test", "--test-concurrency=1", ...files],
    { cwd: root, stdio: "inherit" },
  );
  status = result.status ?? 1;
}
if (tiers.includes(E2E)) {
  console.log("\n# e2e tier: the packaged extension in code-server 4.100.3 (test/e2e/run.mjs)");
  const result = spawnSync(process.execPath, [path.join(root, "test/e2e/run.mjs")], {
    cwd: root,
    stdio: "inherit",
  });
  if (result.status !== 0) status = result.status ?? 1;
}
process.exit(status);
