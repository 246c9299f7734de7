// "Open With… threadlens Trace Viewer" for .tltrace files: a read-only custom editor showing the
// trace's timeline, lock intervals, wait-for graph and findings in the editor tab, with the same
// page and messages as the Threads view. Priority "option" in package.json: the text editor
// with the grammar stays the default. A malformed trace shows its parse error (with the line).
import * as vscode from "vscode";
import { findingSummaries } from "./diagnosticPlan.ts";
import { TRACE_EDITOR_VIEW_TYPE } from "./ids.ts";
import { TimelineWebview } from "./timelineWebview.ts";
import { loadTrace } from "./traceFiles.ts";

class TraceDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}

  dispose(): void {
    // Nothing held: the editor reads the file when it opens.
  }
}

export class TraceEditorProvider implements vscode.CustomReadonlyEditorProvider<TraceDocument> {
  constructor(private readonly extensionUri: vscode.Uri) {}

  static register(extensionUri: vscode.Uri): vscode.Disposable {
    return vscode.window.registerCustomEditorProvider(
      TRACE_EDITOR_VIEW_TYPE,
      new TraceEditorProvider(extensionUri),
      { supportsMultipleEditorsPerDocument: true },
    );
  }

  openCustomDocument(uri: vscode.Uri): TraceDocument {
    return new TraceDocument(uri);
  }

  async resolveCustomEditor(document: TraceDocument, panel: vscode.WebviewPanel): Promise<void> {
    const page = new TimelineWebview(panel.webview, this.extensionUri, () => panel.visible);
    const subscriptions = vscode.Disposable.from(
      page,
      panel.onDidChangeViewState(() => page.post()),
    );
    const disposal = panel.onDidDispose(() => {
      subscriptions.dispose();
      disposal.dispose();
    });
    const result = await loadTrace(document.uri);
    if (!result.ok) {
      page.setContent({ type: "error", message: result.message });
      return;
    }
    const { model, findings, cwd, status } = result.loaded;
    const summaries = findingSummaries(findings, cwd);
    page.setContent({
      type: "snapshot",
      build: (viewport) => model.snapshot(status, viewport, summaries),
    });
  }
}
