// The VS Code end-to-end tier: packages the extension (.vsix), installs it into a fresh
// code-server 4.100.3 profile, starts code-server on loopback, drives the workbench with
// playwright-core in Debian's chromium (ui.mjs: screenshots under test/e2e/screenshots/), then
// runs suite/index.ts inside the real extension host and fails unless its result file exists
// and reports every test passed (the host itself exits 0 even when the tests throw).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { bundleSuite, here, prepareWorkspace, readSuiteResult, root, runDir } from "./prepare.mjs";

const cache = process.env.THREADLENS_E2E_CACHE ?? path.join(root, ".e2e-cache");
const codeServer = path.join(cache, "node_modules/.bin/code-server");
const log = (...args) => console.log(`[e2e ${new Date().toISOString().slice(11, 19)}]`, ...args);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function main() {
  execFileSync("bash", [path.join(here, "setup.sh")], { stdio: "inherit" });
  rmSync(runDir, { recursive: true, force: true });
  const state = path.join(runDir, "state");
  for (const d of ["ud/User", "ext", "xdg-config", "xdg-data"]) {
    mkdirSync(path.join(state, d), { recursive: true });
  }
  writeFileSync(
    path.join(state, "ud/User/settings.json"),
    JSON.stringify({
      "telemetry.telemetryLevel": "off",
      "workbench.startupEditor": "none",
      "extensions.autoCheckUpdates": false,
      "extensions.autoUpdate": false,
      "update.mode": "none",
      "workbench.tips.enabled": false,
      "security.workspace.trust.enabled": false,
      "git.openRepositoryInParentFolders": "never",
    }),
  );
  const port = await freePort();
  writeFileSync(
    path.join(state, "config.yaml"),
    `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`,
  );
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(state, "xdg-config"),
    XDG_DATA_HOME: path.join(state, "xdg-data"),
  };
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  const profile = [
    "--config",
    path.join(state, "config.yaml"),
    "--user-data-dir",
    path.join(state, "ud"),
    "--extensions-dir",
    path.join(state, "ext"),
  ];

  log("packaging the extension");
  const vsix = path.join(runDir, "threadlens.vsix");
  execFileSync(
    process.execPath,
    [path.join(root, "node_modules/@vscode/vsce/vsce"), "package", "-o", vsix],
    {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  execFileSync(codeServer, [...profile, "--install-extension", vsix], { env, stdio: "ignore" });
  const installed = path.join(
    state,
    "ext",
    `threadlens.threadlens-${JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).version}`,
  );
  if (!existsSync(installed)) throw new Error(`the .vsix did not install to ${installed}`);

  log("bundling the extension-host tests");
  const { testsPath, resultFile } = await bundleSuite(path.join(runDir, "suite"));

  const uiWorkspace = prepareWorkspace("ws-ui");
  const apiWorkspace = prepareWorkspace("ws-api");
  const server = spawn(
    codeServer,
    [
      ...profile,
      "--bind-addr",
      `127.0.0.1:${port}`,
      "--auth",
      "none",
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--disable-getting-started-override",
      uiWorkspace,
    ],
    { env, stdio: ["ignore", "pipe", "pipe"], detached: false },
  );
  let serverLog = "";
  server.stdout.on("data", (d) => (serverLog += d));
  server.stderr.on("data", (d) => (serverLog += d));
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      const ok = await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 120) throw new Error(`code-server did not start:\n${serverLog}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    log(`code-server up on ${base}`);
    const { runUiTests, runExtensionHostTests } = await import("./ui.mjs");
    const ui = await runUiTests({
      base,
      workspace: uiWorkspace,
      cache,
      screenshots: path.join(here, "screenshots"),
      log,
    });
    await runExtensionHostTests({
      authority: `127.0.0.1:${port}`,
      workspace: apiWorkspace,
      extensionPath: installed,
      testsPath,
      resultFile,
      cache,
      screenshots: path.join(here, "screenshots"),
      log,
    });
    const result = readSuiteResult(resultFile, log);
    for (const f of ui.failures) log(`FAIL ui: ${f}`);
    const failed = result.failed + ui.failures.length;
    if (failed > 0) throw new Error(`${failed} e2e test(s) failed`);
    log(`all e2e tests passed in ${result.appName} ${result.vscodeVersion}`);
  } finally {
    server.kill("SIGTERM");
    writeFileSync(path.join(runDir, "code-server.log"), serverLog);
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
