// What both e2e runners (run.mjs: code-server here; electron.mjs: @vscode/test-electron on a
// machine that can download VS Code) prepare the same way: the test workspaces with the
// scenario fixtures, and the extension-host suite bundled to one CommonJS module.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, "../..");
// Workspaces live inside the package, so their `import "threadlens"` resolves to it.
export const runDir = path.join(here, ".run");

/** Scenario fixtures (under test/fixtures) copied to each workspace's top folder. */
const FIXTURES = [
  "analysis/s1-lockab.ts",
  "analysis/s2-lock.ts",
  "schedules/s11-timed.ts",
  "schedules/confirm-slow.ts",
  "adapter/long-hold.ts",
];

/** A fresh workspace folder `name` under runDir holding the scenario fixtures. */
export function prepareWorkspace(name) {
  const dir = path.join(runDir, name);
  mkdirSync(dir, { recursive: true });
  for (const f of FIXTURES) {
    copyFileSync(path.join(root, "test/fixtures", f), path.join(dir, path.basename(f)));
  }
  return dir;
}

/**
 * Bundles suite/index.ts into `outDir`/index.js (the extensionTestsPath module); its result
 * file is written beside it. Returns both paths.
 */
export async function bundleSuite(outDir) {
  const testsPath = path.join(outDir, "index.js");
  await build({
    entryPoints: [path.join(here, "suite/index.ts")],
    outfile: testsPath,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["vscode"],
    logLevel: "warning",
  });
  return { testsPath, resultFile: path.join(outDir, "ext-tests-result.json") };
}

/**
 * Reads the suite's result file and logs each test. The extension host exits 0 even when the
 * suite throws, so a missing file or an empty result is a failure, never a pass.
 */
export function readSuiteResult(resultFile, log) {
  if (!existsSync(resultFile)) throw new Error("the extension host wrote no result file");
  const result = JSON.parse(readFileSync(resultFile, "utf8"));
  for (const t of result.results) {
    log(`${t.ok ? "ok  " : "FAIL"} ${t.name}${t.ok ? "" : `\n${t.error}`}`);
  }
  if (result.results.length === 0) throw new Error("the extension host ran no test");
  return {
    failed: result.results.filter((t) => !t.ok).length,
    appName: result.appName,
    vscodeVersion: result.vscodeVersion,
  };
}
