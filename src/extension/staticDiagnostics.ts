// The static analyzer on the TypeScript files the user opens and saves (DESIGN 1.2): predicted
// lock-order problems as warnings, no run needed. Files that import no threadlens primitive are
// skipped cheaply before the compiler is involved.
import { readFileSync } from "node:fs";
import * as vscode from "vscode";
import { checkSources } from "../analysis/static/index.ts";
import type { FindingDiagnostics } from "./diagnostics.ts";

export function registerStaticDiagnostics(
  diagnostics: FindingDiagnostics,
  log: vscode.LogOutputChannel,
): vscode.Disposable {
  const analyze = (document: vscode.TextDocument): void => {
    if (document.uri.scheme !== "file" || document.languageId !== "typescript") return;
    if (!document.getText().includes("threadlens")) return;
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    const cwd = folder?.uri.fsPath ?? document.uri.fsPath.replace(/[\\/][^\\/]*$/, "");
    const file = document.uri.fsPath.replace(/\\/g, "/");
    try {
      const result = checkSources({
        cwd,
        files: [file],
        // The editor's text, saved or not; other files from disk.
        readFile: (p) => (p === file ? document.getText() : readOrUndefined(p)),
      });
      diagnostics.set("static", result.findings, cwd, [document.uri]);
    } catch (error) {
      log.error(`static analysis of ${file} failed: ${String(error)}`);
    }
  };
  vscode.workspace.textDocuments.forEach(analyze);
  return vscode.Disposable.from(
    vscode.workspace.onDidOpenTextDocument(analyze),
    vscode.workspace.onDidSaveTextDocument(analyze),
  );
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
