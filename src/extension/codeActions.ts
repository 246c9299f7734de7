// Quick Fixes for threadlens diagnostics (DESIGN 5.4), matched on their codes: each applies the
// TextEdit the analysis computed; a suggestion with no safe edit is offered as its explanation.
// A potential deadlock also offers "Confirm by rerunning", and a finding with a schedule
// "Replay under the debugger" (DESIGN 8.1, confirmAction.ts).
import path from "node:path";
import * as vscode from "vscode";
import type { Finding, Suggestion, SuggestionKind, TextEdit } from "../protocol/report.ts";
import { CONFIRM_TITLE, REPLAY_TITLE, type ReplayTarget } from "./confirmAction.ts";
import { scheduleActions, type ConfirmTarget } from "./confirmPlan.ts";
import type { DiagnosticFinding, FindingDiagnostics } from "./diagnostics.ts";
import {
  COMMAND_CONFIRM_BY_RERUNNING,
  COMMAND_REPLAY_SCHEDULE,
  COMMAND_SHOW_SUGGESTION,
  DIAGNOSTIC_CODES,
  DIAGNOSTIC_SOURCE,
} from "./ids.ts";

const FIXABLE_CODES: ReadonlySet<string> = new Set(
  (["deadlock", "potential-deadlock", "self-deadlock", "hang"] satisfies Finding["kind"][]).map(
    (kind) => DIAGNOSTIC_CODES[kind],
  ),
);

export class FindingCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
  };

  constructor(private readonly diagnostics: FindingDiagnostics) {}

  provideCodeActions(
    document: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    const scheduled: vscode.CodeAction[] = [];
    const titles = new Set<string>();
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
      if (typeof diagnostic.code !== "string" || !FIXABLE_CODES.has(diagnostic.code)) continue;
      const found = this.diagnostics.lookup(document.uri, diagnostic);
      if (found === undefined) continue;
      for (const action of scheduleActions(diagnostic.code, found.finding)) {
        if (titles.has(action)) continue;
        titles.add(action);
        scheduled.push(scheduleAction(action, document.uri, diagnostic, found));
      }
      for (const suggestion of found.suggestions) {
        const title = actionTitle(suggestion);
        // The same finding reaches several sites, and run and static findings can coincide.
        if (titles.has(title)) continue;
        titles.add(title);
        actions.push(toAction(title, suggestion, found.cwd, diagnostic));
      }
    }
    return [...actions, ...scheduled];
  }
}

function scheduleAction(
  action: "confirm" | "replay",
  uri: vscode.Uri,
  diagnostic: vscode.Diagnostic,
  found: DiagnosticFinding,
): vscode.CodeAction {
  const title = action === "confirm" ? CONFIRM_TITLE : REPLAY_TITLE;
  const codeAction = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
  codeAction.diagnostics = [diagnostic];
  if (action === "confirm") {
    const target: ConfirmTarget = {
      file: uri.fsPath,
      line: diagnostic.range.start.line + 1,
      locks: found.finding.locks,
    };
    codeAction.command = { command: COMMAND_CONFIRM_BY_RERUNNING, title, arguments: [target] };
  } else {
    const target: ReplayTarget = { file: uri.fsPath, schedule: found.finding.schedule ?? "" };
    codeAction.command = { command: COMMAND_REPLAY_SCHEDULE, title, arguments: [target] };
  }
  return codeAction;
}

const TITLES: Readonly<Record<SuggestionKind, string>> = {
  "use-rlock": "Use RLock",
  "global-order": "Acquire in the global order",
  "acquire-all": "Acquire both with acquireAll",
  "add-timeout": "Add a timeout",
  "use-wait-for": "Wait with waitFor(predicate)",
};

/** The title users see; the global order names the locks ("lockA → lockB"). */
export function actionTitle(suggestion: Suggestion): string {
  const title = TITLES[suggestion.kind];
  if (suggestion.kind !== "global-order") return title;
  const order = /take (\S+) before (\S+)/.exec(suggestion.message);
  return order === null ? title : `${title} ${order[1]} → ${order[2]}`;
}

function toAction(
  title: string,
  suggestion: Suggestion,
  cwd: string,
  diagnostic: vscode.Diagnostic,
): vscode.CodeAction {
  const action = new vscode.CodeAction(
    suggestion.edit === undefined ? `${title} (how to)` : title,
    vscode.CodeActionKind.QuickFix,
  );
  action.diagnostics = [diagnostic];
  if (suggestion.edit === undefined) {
    action.command = {
      command: COMMAND_SHOW_SUGGESTION,
      title,
      arguments: [suggestion.message],
    };
  } else {
    action.edit = toWorkspaceEdit(suggestion.edit, cwd);
    action.isPreferred = suggestion.kind === "global-order" || suggestion.kind === "use-rlock";
  }
  return action;
}

/** 1-based lines and columns, end column exclusive, file relative to `cwd`. */
export function toWorkspaceEdit(edit: TextEdit, cwd: string): vscode.WorkspaceEdit {
  const workspaceEdit = new vscode.WorkspaceEdit();
  const uri = vscode.Uri.file(path.resolve(cwd, edit.file));
  for (const r of edit.replacements) {
    const range = new vscode.Range(r.line - 1, r.column - 1, r.endLine - 1, r.endColumn - 1);
    workspaceEdit.replace(uri, range, r.newText);
  }
  return workspaceEdit;
}
