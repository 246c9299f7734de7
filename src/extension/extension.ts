// The threadlens extension's entry point (DESIGN 7). activate() only wires the parts together;
// every registration goes into context.subscriptions, so deactivation disposes of all of it.
import * as vscode from "vscode";
import { FindingCodeActions } from "./codeActions.ts";
import { ScheduleCommands } from "./confirmAction.ts";
import { registerCommands } from "./commands.ts";
import {
  InlineAdapterFactory,
  ProtocolLogger,
  ThreadlensConfigurationProvider,
  trackSessions,
} from "./debugging.ts";
import { FindingDiagnostics } from "./diagnostics.ts";
import {
  COMMAND_SORT_LOCKS,
  DEBUG_TYPE,
  LOG_CHANNEL_NAME,
  VIEW_LOCKS,
  VIEW_THREADS,
} from "./ids.ts";
import { LocksTreeProvider } from "./locksView.ts";
import { registerStaticDiagnostics } from "./staticDiagnostics.ts";
import { ThreadsViewProvider } from "./threadsView.ts";
import { TraceEditorProvider } from "./traceEditor.ts";
import { ViewState } from "./viewState.ts";

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
  const diagnostics = new FindingDiagnostics();
  const views = new ViewState();
  const locks = new LocksTreeProvider(views);
  const threads = new ThreadsViewProvider(context.extensionUri, views);
  const distDir = vscode.Uri.joinPath(context.extensionUri, "dist").fsPath;
  const typescript = [{ language: "typescript" }, { language: "javascript" }];

  context.subscriptions.push(
    log,
    diagnostics,
    views,
    locks,
    threads,
    vscode.window.registerTreeDataProvider(VIEW_LOCKS, locks),
    vscode.window.registerWebviewViewProvider(VIEW_THREADS, threads, {
      webviewOptions: { retainContextWhenHidden: false },
    }),
    TraceEditorProvider.register(context.extensionUri),
    vscode.debug.registerDebugConfigurationProvider(
      DEBUG_TYPE,
      new ThreadlensConfigurationProvider(),
    ),
    vscode.debug.registerDebugAdapterDescriptorFactory(
      DEBUG_TYPE,
      new InlineAdapterFactory(distDir),
    ),
    vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, new ProtocolLogger(log, views)),
    trackSessions(diagnostics, views),
    vscode.languages.registerCodeActionsProvider(
      typescript,
      new FindingCodeActions(diagnostics),
      FindingCodeActions.metadata,
    ),
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.contentChanges.length > 0) diagnostics.forgetRun(event.document.uri);
    }),
    registerStaticDiagnostics(diagnostics, log),
    registerCommands(views),
    new ScheduleCommands(diagnostics, distDir, log),
    vscode.commands.registerCommand(COMMAND_SORT_LOCKS, () => locks.pickSort()),
  );
  log.info("threadlens activated");
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
