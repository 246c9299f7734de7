// One webview showing the threads page (media/webview, dist/webview.js): the sidebar's Threads
// view and every .tltrace editor tab use this. Strict CSP with a nonce, scripts and styles only
// from dist/ or the nonce, no inline handlers or eval. The page tells us its viewport (time range
// and pixel width); every snapshot is built for it, so it stays bounded however long the trace.
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import { COMMAND_OPEN_SITE, COMMAND_OPEN_TRACE, COMMAND_RUN_CURRENT_FILE } from "./ids.ts";
import { liveUpdateGapMs } from "./laneSnapshot.ts";
import type {
  FromWebviewMessage,
  ThreadsSnapshot,
  ToWebviewMessage,
  Viewport,
} from "./webviewMessages.ts";

/** What the page shows: a snapshot for a viewport, an error, or nothing yet (still loading). */
export type TimelineContent =
  | { readonly type: "snapshot"; readonly build: (viewport: Viewport) => ThreadsSnapshot }
  | { readonly type: "error"; readonly message: string }
  | { readonly type: "loading" };

export class TimelineWebview implements vscode.Disposable {
  #viewport: Viewport = { start: 0, end: undefined, width: 800 };
  #content: TimelineContent = { type: "loading" };
  #ready = false;
  #lastPost = 0;
  /** How long live updates wait after the last snapshot, from its size. */
  #liveGap = 0;
  #liveTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly webview: vscode.Webview,
    extensionUri: vscode.Uri,
    private readonly isVisible: () => boolean,
  ) {
    const scripts = vscode.Uri.joinPath(extensionUri, "dist");
    webview.options = { enableScripts: true, localResourceRoots: [scripts] };
    webview.html = pageHtml(webview, vscode.Uri.joinPath(scripts, "webview.js"));
    this.#subscriptions.push(
      webview.onDidReceiveMessage((message: FromWebviewMessage) => this.#receive(message)),
    );
  }

  setContent(content: TimelineContent): void {
    this.#content = content;
    this.post();
  }

  /** Sends what the page should show now (if it is visible and listening). */
  post(): void {
    if (this.#liveTimer !== undefined) clearTimeout(this.#liveTimer);
    this.#liveTimer = undefined;
    if (!this.#ready || !this.isVisible()) return;
    const content = this.#content;
    let message: ToWebviewMessage;
    if (content.type === "loading") return;
    if (content.type === "error") message = { type: "error", message: content.message };
    else {
      const snapshot = content.build(this.#viewport);
      this.#liveGap = liveUpdateGapMs(snapshot);
      message = { type: "snapshot", snapshot };
    }
    this.#lastPost = Date.now();
    void this.webview.postMessage(message);
  }

  /**
   * A live session's model changed: post, but no more often than the last snapshot's size
   * allows (a big one, megabytes at 100 threads and a million events, every second at most).
   */
  postLive(): void {
    const wait = this.#lastPost + this.#liveGap - Date.now();
    if (wait <= 0) this.post();
    else this.#liveTimer ??= setTimeout(() => this.post(), wait);
  }

  #receive(message: FromWebviewMessage): void {
    switch (message.type) {
      case "ready":
      case "viewport":
        this.#ready = true;
        this.#viewport = validViewport(message.viewport) ?? this.#viewport;
        this.post();
        break;
      case "openSource":
        void vscode.commands.executeCommand(COMMAND_OPEN_SITE, message.location);
        break;
      case "command":
        void vscode.commands.executeCommand(
          message.command === "openTrace" ? COMMAND_OPEN_TRACE : COMMAND_RUN_CURRENT_FILE,
        );
        break;
    }
  }

  dispose(): void {
    if (this.#liveTimer !== undefined) clearTimeout(this.#liveTimer);
    for (const s of this.#subscriptions.splice(0)) s.dispose();
  }
}

/** The page's viewport if its numbers make sense (a webview is not trusted to send them). */
function validViewport(v: Viewport | undefined): Viewport | undefined {
  if (v === undefined || !Number.isFinite(v.start) || !Number.isFinite(v.width)) return undefined;
  if (v.end !== undefined && !(Number.isFinite(v.end) && v.end > v.start)) return undefined;
  return { start: Math.max(0, v.start), end: v.end, width: Math.min(8192, Math.max(1, v.width)) };
}

/** What the lock rows under each thread show, and what the recorder leaves out. */
const LOCK_ROWS_NOTE =
  "Under each thread: the locks it held (colored by lock) and waited for (red); hover for names. " +
  "The recorder keeps every hold that matters to the analysis (nested, or held while the " +
  "thread blocks) and samples the others; lock waits shorter than 5 ms are not recorded.";

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
  /* One screen: the timeline keeps up to 45% of the view (set by the page script), the graph
     the height it needs up to a third, a long status three lines; each scrolls inside; a view
     too short even for that scrolls as a whole. */
  body { margin: 0; padding: 0 4px; box-sizing: border-box; height: 100vh; overflow: auto;
    display: flex; flex-direction: column; color: var(--vscode-foreground);
    font: var(--vscode-font-size) var(--vscode-font-family); }
  body > * { flex: none; }
  #status { margin: 4px 0; font-weight: bold; overflow-wrap: anywhere; }
  #status.error { color: var(--vscode-errorForeground); }
  #toolbar { display: flex; gap: 4px 8px; align-items: center; flex-wrap: wrap; margin-bottom: 2px; }
  .hint { opacity: 0.75; font-size: 90%; }
  .swatch { display: inline-block; width: 12px; height: 8px; vertical-align: middle; }
  .swatch.hold { background: #4f8fd6; }
  .swatch.wait { background: #d9413a; }
  .swatch.handover { background: #2b7bd0; height: 2px; }
  #legend { display: flex; flex-wrap: wrap; gap: 2px 10px; margin: 2px 0; }
  #states { display: contents; }
  #legend .entry { display: inline-flex; align-items: center; gap: 3px; }
  #search { flex: 1 1 8em; min-width: 6em; color: var(--vscode-input-foreground);
    background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border, transparent);
    padding: 2px 4px; font: inherit; }
  #warnings { display: flex; flex-direction: column; gap: 2px; margin: 2px 0 4px; }
  #warnings .warning { background: var(--vscode-inputValidation-warningBackground, #5f4b00);
    color: var(--vscode-foreground); border-left: 3px solid var(--vscode-editorWarning-foreground, #cca700);
    overflow-wrap: anywhere; }
  #warnings .warning.ended { opacity: 0.65; background: none; }
  #details { margin: 4px 0; padding: 4px 6px; border-left: 3px solid var(--vscode-focusBorder);
    background: var(--vscode-editorWidget-background); }
  #empty { margin: 8px 0; display: flex; flex-direction: column; gap: 6px; align-items: flex-start; }
  #empty button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); padding: 4px 10px; }
  button { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground);
    border: none; padding: 2px 6px; cursor: pointer; font: inherit; text-align: left; }
  button:hover { background: var(--vscode-button-secondaryHoverBackground); }
  button:disabled { opacity: 0.6; cursor: default; }
  button:focus-visible, canvas:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
  #timeline-box { flex: 0 1 auto; min-height: 50px; overflow-y: auto; }
  #graph-box { max-height: 34vh; overflow: auto; margin-top: 4px; }
  #sources { flex: 0 1 auto; min-height: 40px; overflow-y: auto; }
  #sources ul { list-style: none; margin: 0; padding: 0 0 0 8px; }
  #sources li { margin: 1px 0; }
  #sources h3 { font-size: 100%; margin: 6px 0 2px; }
  canvas { display: block; }
  #timeline { cursor: grab; }
  #tooltip { position: fixed; pointer-events: none; display: none; z-index: 1; max-width: 320px;
    background: var(--vscode-editorHoverWidget-background); color: var(--vscode-editorHoverWidget-foreground);
    border: 1px solid var(--vscode-editorHoverWidget-border); padding: 3px 6px; white-space: pre-line; }
  body.failed > :not(#status) { display: none; }
  [hidden] { display: none !important; }
  body.empty > :not(#status):not(#empty):not(#tooltip):not(script) { display: none; }
</style>
</head>
<body>
<div id="status" role="status">No threadlens session yet.</div>
<div id="warnings" role="status" aria-label="Locks held or waited for too long" hidden></div>
<div id="empty" hidden>
  <span>Run a program under threadlens to see its threads, locks and deadlocks here, or open a recorded trace.</span>
  <button id="run-file" type="button">Run current file under threadlens</button>
  <button id="open-trace" type="button">Open trace…</button>
</div>
<div id="toolbar">
  <button id="fit" type="button" title="Show the whole time range (key 0 on the timeline)">Fit</button>
  <input id="search" type="search" placeholder="Search thread or lock" aria-label="Search thread or lock">
  <span class="hint">wheel: zoom · drag: pan · click: details</span>
</div>
<div id="legend" class="hint" title="${LOCK_ROWS_NOTE}"><span id="states"></span><span class="entry"><span class="swatch hold"></span> held (lock named in the bar)</span><span class="entry"><span class="swatch wait"></span> waited for</span><span class="entry"><span class="swatch handover"></span> unblocked by (release → acquire)</span></div>
<div id="details" role="region" aria-label="Details of the selected segment" hidden></div>
<div id="timeline-box"><canvas id="timeline" height="40" aria-label="Thread timeline: +/- zoom, arrows pan, 0 fits"></canvas></div>
<div id="graph-box"><canvas id="graph" height="140" aria-label="Wait-for graph"></canvas></div>
<div id="sources"></div>
<div id="tooltip"></div>
<script nonce="${nonce}" src="${webview.asWebviewUri(script).toString()}"></script>
</body>
</html>`;
}
