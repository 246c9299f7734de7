// The Threads view (webview): the timeline of every logical thread and the wait-for graph,
// drawn by media/webview (dist/webview.js). Strict CSP with a nonce, scripts only from dist/,
// no inline script; the last snapshot is re-sent when the view is shown again.
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import { COMMAND_OPEN_SITE, VIEW_THREADS } from "./ids.ts";
import type { ViewState } from "./viewState.ts";
import type { FromWebviewMessage, ToWebviewMessage } from "./webviewMessages.ts";

export class ThreadsViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = VIEW_THREADS;
  #view: vscode.WebviewView | undefined;
  readonly #subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly views: ViewState,
  ) {
    this.#subscriptions.push(views.onDidChange(() => this.#post()));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.#view = view;
    const scripts = vscode.Uri.joinPath(this.extensionUri, "dist");
    view.webview.options = { enableScripts: true, localResourceRoots: [scripts] };
    view.webview.html = pageHtml(view.webview, vscode.Uri.joinPath(scripts, "webview.js"));
    this.#subscriptions.push(
      view.webview.onDidReceiveMessage((message: FromWebviewMessage) => {
        if (message.type === "ready") this.#post();
        else if (message.type === "openSource") {
          void vscode.commands.executeCommand(COMMAND_OPEN_SITE, message.location);
        }
      }),
      view.onDidChangeVisibility(() => {
        if (view.visible) this.#post();
      }),
      view.onDidDispose(() => (this.#view = undefined)),
    );
  }

  #post(): void {
    const view = this.#view;
    if (view === undefined || !view.visible) return;
    const message: ToWebviewMessage = {
      type: "snapshot",
      snapshot: this.views.model.snapshot(this.views.status),
    };
    void view.webview.postMessage(message);
  }

  dispose(): void {
    for (const s of this.#subscriptions.splice(0)) s.dispose();
  }
}

function pageHtml(webview: vscode.Webview, script: vscode.Uri): string {
  const nonce = randomBytes(16).toString("base64");
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">
  body { padding: 0 4px; color: var(--vscode-foreground); font: var(--vscode-font-size) var(--vscode-font-family); }
  #status { margin: 4px 0; font-weight: bold; }
  canvas { display: block; width: 100%; }
  #timeline { cursor: grab; }
  .hint { opacity: 0.7; font-size: 90%; }
</style>
</head>
<body>
<div id="status">No threadlens session yet.</div>
<canvas id="timeline" height="40"></canvas>
<div class="hint">Wheel: zoom · drag: pan · click: open source</div>
<canvas id="graph" height="220"></canvas>
<script nonce="${nonce}" src="${webview.asWebviewUri(script).toString()}"></script>
</body>
</html>`;
}
