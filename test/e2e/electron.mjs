// The same extension-host suite under @vscode/test-electron, for a developer machine that can
// download VS Code (this one cannot: CI uses run.mjs with code-server). The extension is loaded
// from this folder (extensionDevelopmentPath) after `npm run build`; the suite writes its result
// file, which decides the outcome together with VS Code's exit code.
//   npm run test:e2e:electron            (VS Code stable; THREADLENS_VSCODE_VERSION=1.100.3 to pin)
import { rmSync } from "node:fs";
import path from "node:path";
import { runTests } from "@vscode/test-electron";
import { bundleSuite, prepareWorkspace, readSuiteResult, root, runDir } from "./prepare.mjs";

const log = (...args) => console.log(`[e2e-electron]`, ...args);

async function main() {
  rmSync(path.join(runDir, "ws-electron"), { recursive: true, force: true });
  const workspace = prepareWorkspace("ws-electron");
  const { testsPath, resultFile } = await bundleSuite(path.join(runDir, "suite-electron"));
  rmSync(resultFile, { force: true });
  const exitCode = await runTests({
    version: process.env.THREADLENS_VSCODE_VERSION ?? "stable",
    extensionDevelopmentPath: root,
    extensionTestsPath: testsPath,
    launchArgs: [workspace, "--disable-extensions", "--disable-workspace-trust"],
  });
  const result = readSuiteResult(resultFile, log);
  if (exitCode !== 0 || result.failed > 0) {
    throw new Error(`${result.failed} e2e test(s) failed (VS Code exited with ${exitCode})`);
  }
  log(`all extension-host tests passed in ${result.appName} ${result.vscodeVersion}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
