// code-server 4.100.3 started hermetically for the e2e tier: its own config, user data,
// extensions and XDG folders under a state directory (nothing in the home folder), loopback
// only, no auth, telemetry and update checks off. One profile per workspace-trust mode: the
// main pass runs with trust disabled (everything trusted), the restricted pass with trust on
// and the workspace left untrusted.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

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

export class CodeServerProfile {
  /**
   * @param {string} binary code-server's executable
   * @param {string} state the profile's folder (created)
   * @param {{ trust: boolean }} options trust: workspace trust on (restricted mode) or off
   */
  constructor(binary, state, { trust }) {
    this.binary = binary;
    this.state = state;
    this.trust = trust;
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
        "git.openRepositoryInParentFolders": "never",
        "security.workspace.trust.enabled": trust,
        // With trust on, no dialog: the folder simply opens in Restricted Mode.
        "security.workspace.trust.startupPrompt": "never",
        "security.workspace.trust.untrustedFiles": "open",
      }),
    );
    this.env = {
      ...process.env,
      XDG_CONFIG_HOME: path.join(state, "xdg-config"),
      XDG_DATA_HOME: path.join(state, "xdg-data"),
    };
    delete this.env.NODE_OPTIONS;
    delete this.env.NODE_TEST_CONTEXT;
    this.extensions = path.join(state, "ext");
  }

  #args(port) {
    writeFileSync(
      path.join(this.state, "config.yaml"),
      `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`,
    );
    return [
      "--config",
      path.join(this.state, "config.yaml"),
      "--user-data-dir",
      path.join(this.state, "ud"),
      "--extensions-dir",
      this.extensions,
    ];
  }

  /** Installs a .vsix into this profile (the packaged extension, as users get it). */
  install(vsix) {
    execFileSync(this.binary, [...this.#args(0), "--install-extension", vsix], {
      env: this.env,
      stdio: "ignore",
    });
  }

  /** Starts the server on `workspace`; resolves once /healthz answers. */
  async start(workspace) {
    const port = await freePort();
    const args = [
      ...this.#args(port),
      "--bind-addr",
      `127.0.0.1:${port}`,
      "--auth",
      "none",
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-getting-started-override",
      ...(this.trust ? [] : ["--disable-workspace-trust"]),
      workspace,
    ];
    const server = spawn(this.binary, args, { env: this.env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    server.stdout.on("data", (d) => (output += d));
    server.stderr.on("data", (d) => (output += d));
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      const ok = await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 120 || server.exitCode !== null) {
        server.kill("SIGTERM");
        throw new Error(`code-server did not start:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return {
      base,
      authority: `127.0.0.1:${port}`,
      stop: () => {
        server.kill("SIGTERM");
        return output;
      },
    };
  }
}
