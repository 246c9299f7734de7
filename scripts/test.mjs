// `npm test`'s last step: every test tier through node's test runner, TypeScript test files
// loaded with threadlens' own preload. Tiers: unit (test/unit), then programs run as child
// processes (test/programs), then the debug adapter driven over DAP (test/adapter). Node 20's
// runner takes no globs, so files are listed here.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const tiers =
  process.argv.slice(2).length > 0
    ? process.argv.slice(2)
    : ["test/unit", "test/programs", "test/adapter"];

function testFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...testFiles(full));
    else if (name.endsWith(".test.ts")) out.push(path.relative(root, full));
  }
  return out;
}

const files = tiers.flatMap((tier) => testFiles(path.join(root, tier)));
const result = spawnSync(
  process.execPath,
  ["--import", "./dist/register.mjs", "--test", "--test-concurrency=1", ...files],
  { cwd: root, stdio: "inherit" },
);
process.exit(result.status ?? 1);
