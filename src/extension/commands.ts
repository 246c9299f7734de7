// The palette commands (open a trace, export it to Perfetto, run the current file) and the
// internal ones the views and code actions use.
import path from "node:path";
import * as vscode from "vscode";
import { toPerfetto } from "../protocol/perfetto.ts";
import { currentFileConfiguration, UNTRUSTED_MESSAGE } from "./debugging.ts";
import {
  COMMAND_EXPORT_PERFETTO,
  COMMAND_OPEN_SITE,
  COMMAND_OPEN_TRACE,
  COMMAND_RUN_CURRENT_FILE,
  COMMAND_SHOW_SUGGESTION,
  VIEW_THREADS,
} from "./ids.ts";
import { loadTrace, readTrace } from "./traceFiles.ts";
import type { ViewState } from "./viewState.ts";
import type { SourceLocation } from "./webviewMessages.ts";

const TRACE_FILTERS = { "threadlens trace": ["tltrace"] };

export function registerCommands(views: ViewState): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(COMMAND_OPEN_TRACE, (uri?: vscode.Uri) =>
      openTrace(views, uri),
    ),
    vscode.commands.registerCommand(COMMAND_EXPORT_PERFETTO, (uri?: vscode.Uri) =>
      exportPerfetto(uri),
    ),
    vscode.commands.registerCommand(COMMAND_RUN_CURRENT_FILE, runCurrentFile),
    vscode.commands.registerCommand(COMMAND_SHOW_SUGGESTION, (message: string) =>
      vscode.window.showInformationMessage(message, { modal: false }),
    ),
    vscode.commands.registerCommand(COMMAND_OPEN_SITE, openSite),
  );
}

async function openSite(location: SourceLocation): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(location.file));
  const position = new vscode.Position(
    Math.max(0, location.line - 1),
    Math.max(0, location.column - 1),
  );
  await vscode.window.showTextDocument(document, {
    selection: new vscode.Range(position, position),
  });
}

/** The given trace, the active .tltrace editor's (text or trace viewer), or one the user picks. */
async function traceUri(uri: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
  if (uri !== undefined) return uri;
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const active =
    tab instanceof vscode.TabInputCustom || tab instanceof vscode.TabInputText
      ? tab.uri
      : vscode.window.activeTextEditor?.document.uri;
  if (active !== undefined && active.path.endsWith(".tltrace")) return active;
  const picked = await vscode.window.showOpenDialog({
    filters: TRACE_FILTERS,
    canSelectMany: false,
  });
  return picked?.[0];
}

async function openTrace(views: ViewState, given?: vscode.Uri): Promise<void> {
  const uri = await traceUri(given);
  if (uri === undefined) return;
  const result = await loadTrace(uri);
  if (!result.ok) {
    // TraceParseError names the line; a hostile file gets a message, never a crash.
    void vscode.window.showErrorMessage(result.message);
    return;
  }
  const { model, findings, cwd, status } = result.loaded;
  views.reset(model, status);
  views.setFindings({ findings, cwd });
  await vscode.commands.executeCommand(`${VIEW_THREADS}.focus`);
}

async function exportPerfetto(given?: vscode.Uri): Promise<void> {
  const uri = await traceUri(given);
  if (uri === undefined) return;
  const trace = await readTrace(uri);
  if (typeof trace === "string") {
    void vscode.window.showErrorMessage(trace);
    return;
  }
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.file(uri.fsPath.replace(/\.tltrace$/, "") + ".perfetto.json"),
    filters: { "Chrome trace JSON": ["json"] },
  });
  if (target === undefined) return;
  await vscode.workspace.fs.writeFile(
    target,
    new TextEncoder().encode(JSON.stringify(toPerfetto(trace))),
  );
  void vscode.window.showInformationMessage(
    `Wrote ${path.basename(target.fsPath)}: open it in ui.perfetto.dev or chrome://tracing.`,
  );
}

async function runCurrentFile(): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showErrorMessage(UNTRUSTED_MESSAGE);
    return;
  }
  const document = vscode.window.activeTextEditor?.document;
  if (document === undefined || document.uri.scheme !== "file") {
    void vscode.window.showErrorMessage("threadlens: open the .ts or .js file to run first.");
    return;
  }
  if (document.isDirty) await document.save();
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  await vscode.debug.startDebugging(folder, currentFileConfiguration(document.uri, folder));
}
