// The Threads view (sidebar webview): the current session's or opened trace's timeline, lock
// intervals, wait-for graph and findings (timelineWebview.ts). Live sessions update it at most
// every ViewState refresh; the page's state survives hide/show through its own saved state and a
// fresh snapshot on becoming visible.
import * as vscode from "vscode";
import { findingSummaries } from "./diagnosticPlan.ts";
import { VIEW_THREADS } from "./ids.ts";
import { TimelineWebview } from "./timelineWebview.ts";
import type { ViewState } from "./viewState.ts";

export class ThreadsViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = VIEW_THREADS;
  #page: TimelineWebview | undefined;
  readonly #subscriptions: vscode.Disposable[] = [];
  #viewSubscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly views: ViewState,
  ) {
    this.#subscriptions.push(views.onDidChange(() => this.#page?.postLive()));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.#disposeView();
    const page = new TimelineWebview(view.webview, this.extensionUri, () => view.visible);
    const views = this.views;
    page.setContent({
      type: "snapshot",
      build: (viewport) => ({
        ...views.model.snapshot(
          views.status,
          viewport,
          findingSummaries(views.findings.findings, views.findings.cwd),
        ),
        warnings: views.warnings.list(),
      }),
    });
    this.#page = page;
    this.#viewSubscriptions = [
      page,
      view.onDidChangeVisibility(() => page.post()),
      view.onDidDispose(() => this.#disposeView()),
    ];
  }

  #disposeView(): void {
    for (const s of this.#viewSubscriptions.splice(0)) s.dispose();
    this.#page = undefined;
  }

  dispose(): void {
    this.#disposeView();
    for (const s of this.#subscriptions.splice(0)) s.dispose();
  }
}
