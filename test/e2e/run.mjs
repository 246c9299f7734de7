// The VS Code end-to-end tier: packages the extension (.vsix) and installs it into fresh
// code-server 4.100.3 profiles, then
//  1. drives the workbench with playwright-core in Debian's chromium (ui.mjs; screenshots
//     under test/e2e/screenshots/),
//  2. runs suite/index.ts inside the real extension host and fails unless its result file
//     exists and reports every test passed (the host itself exits 0 even when tests throw),
//  3. opens a workspace in Restricted Mode (workspace trust on, folder not trusted) and checks
//     that the views, the static warnings and trace files work while running is refused.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CodeServerProfile } from "./codeServer.mjs";
import { bundleSuite, here, prepareWorkspace, readSuiteResult, root, runDir } from "./prepare.mjs";

const cache = process.env.THREADLENS_E2E_CACHE ?? path.join(root, ".e2e-cache");
const codeServer = path.join(cache, "node_modules/.bin/code-server");
const screenshots = path.join(here, "screenshots");
const log = (...args) => console.log(`[e2e ${new Date().toISOString().slice(11, 19)}]`, ...args);

function packageExtension() {
  const vsix = path.join(runDir, "threadlens.vsix");
  execFileSync(process.execPath, [path.join(root, "scripts/packageVsix.mjs"), vsix], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
  });
  return vsix;
}

function installInto(profile, vsix) {
  profile.install(vsix);
  const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  const installed = path.join(profile.extensions, `threadlens.threadlens-${version}`);
  if (!existsSync(installed)) throw new Error(`the .vsix did not install to ${installed}`);
  return installed;
}

/** A trace of the S1 deadlock, written by the CLI, for the trace-file checks. */
function recordS1Trace(workspace) {
  const trace = path.join(workspace, "s1-deadlock.tltrace");
  try {
    execFileSync(
      process.execPath,
      [path.join(root, "dist/cli.js"), "run", "--trace", trace, "s1-lockab.ts"],
      { cwd: workspace, stdio: "ignore" },
    );
  } catch {
    // exit code 2: the deadlock it is recorded for
  }
  if (!existsSync(trace)) throw new Error("threadlens run wrote no trace for the S1 fixture");
  return trace;
}

/** Starts code-server on `workspace`, runs `body(server)`, stops it and keeps its log. */
async function withServer(profile, workspace, logName, body) {
  const server = await profile.start(workspace);
  log(`code-server up on ${server.base} (${profile.trust ? "workspace trust on" : "trusted"})`);
  try {
    return await body(server);
  } finally {
    writeFileSync(path.join(runDir, logName), server.stop());
  }
}

async function main() {
  execFileSync("bash", [path.join(here, "setup.sh")], { stdio: "inherit" });
  rmSync(runDir, { recursive: true, force: true });
  const trusted = new CodeServerProfile(codeServer, path.join(runDir, "state"), { trust: false });
  const restricted = new CodeServerProfile(codeServer, path.join(runDir, "state-restricted"), {
    trust: true,
  });
  // scripts/test.mjs packages it beside the node tiers (THREADLENS_E2E_VSIX); alone, here.
  const prepackaged = process.env.THREADLENS_E2E_VSIX;
  const vsix =
    prepackaged !== undefined && existsSync(prepackaged) ? prepackaged : packageExtension();
  log(
    vsix === prepackaged
      ? `the extension packaged beside the node tiers`
      : "packaged the extension",
  );
  const installed = installInto(trusted, vsix);
  installInto(restricted, vsix);

  log("bundling the extension-host tests");
  const { testsPath, resultFile } = await bundleSuite(path.join(runDir, "suite"));
  const uiWorkspace = prepareWorkspace("ws-ui");
  const apiWorkspace = prepareWorkspace("ws-api");
  const untrustedWorkspace = prepareWorkspace("ws-untrusted");
  recordS1Trace(untrustedWorkspace);

  const { runUiTests, runExtensionHostTests, runRestrictedModeTests, only } =
    await import("./ui.mjs");
  const failures = [];
  await withServer(trusted, uiWorkspace, "code-server.log", async (server) => {
    const ui = await runUiTests({
      base: server.base,
      workspace: uiWorkspace,
      cache,
      screenshots,
      log,
    });
    failures.push(...ui.failures);
    // THREADLENS_E2E_ONLY: the matching UI checks alone (no extension-host suite, no
    // Restricted Mode pass).
    if (only !== undefined) return;
    await runExtensionHostTests({
      authority: server.authority,
      workspace: apiWorkspace,
      extensionPath: installed,
      testsPath,
      resultFile,
      cache,
      screenshots,
      log,
    });
  });
  if (only !== undefined) {
    for (const f of failures) log(`FAIL ${f}`);
    if (failures.length > 0) throw new Error(`${failures.length} e2e check(s) failed`);
    log(`the UI checks matching ${only} passed (THREADLENS_E2E_ONLY)`);
    return;
  }
  const result = readSuiteResult(resultFile, log);
  await withServer(restricted, untrustedWorkspace, "code-server-restricted.log", async (server) => {
    const ui = await runRestrictedModeTests({
      base: server.base,
      workspace: untrustedWorkspace,
      cache,
      screenshots,
      log,
    });
    failures.push(...ui.failures);
  });
  for (const f of failures) log(`FAIL ${f}`);
  const failed = result.failed + failures.length;
  if (failed > 0) throw new Error(`${failed} e2e test(s) failed`);
  log(`all e2e tests passed in ${result.appName} ${result.vscodeVersion}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
