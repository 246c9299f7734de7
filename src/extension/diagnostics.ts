// Findings as diagnostics (DESIGN 7), as planned by diagnosticPlan.ts (one per site of a
// finding, at the TypeScript line, related information at its other sites, severity and code
// per kind). Run diagnostics stay after the session, until their file
// changes or a new run replaces them; static ones are recomputed on open and save.
import { readFileSync } from "node:fs";
import * as vscode from "vscode";
import type { Finding, Suggestion } from "../protocol/report.ts";
import { planDiagnostics, type FindingOrigin, type PlannedDiagnostic } from "./diagnosticPlan.ts";
import { DIAGNOSTIC_SOURCE } from "./ids.ts";
import type { SourceLocation } from "./webviewMessages.ts";

export type { FindingOrigin } from "./diagnosticPlan.ts";

/** What a code action needs from the finding behind a diagnostic. */
export interface DiagnosticFinding {
  readonly diagnostic: vscode.Diagnostic;
  readonly suggestions: readonly Suggestion[];
  /** The finding itself (its locks, and whether a rerun confirmed it with a schedule). */
  readonly finding: Finding;
  /** Suggestion edit paths are relative to this directory. */
  readonly cwd: string;
}

export class FindingDiagnostics implements vscode.Disposable {
  readonly #collections: Record<FindingOrigin, vscode.DiagnosticCollection> = {
    run: vscode.languages.createDiagnosticCollection("threadlens-run"),
    static: vscode.languages.createDiagnosticCollection("threadlens-static"),
  };
  /** Files with run diagnostics, by URI string. */
  readonly #runUris = new Map<string, vscode.Uri>();
  /** Per document URI string, the findings behind its diagnostics, for code actions. */
  readonly #index: Record<FindingOrigin, Map<string, DiagnosticFinding[]>> = {
    run: new Map(),
    static: new Map(),
  };

  /** Replaces all diagnostics of `origin` (a new run), or those of `files` only (static). */
  set(
    origin: FindingOrigin,
    findings: readonly Finding[],
    cwd: string,
    files?: readonly vscode.Uri[],
  ): void {
    const perFile = new Map<string, { uri: vscode.Uri; entries: DiagnosticFinding[] }>();
    for (const uri of files ?? []) perFile.set(uri.toString(), { uri, entries: [] });
    for (const planned of planDiagnostics(findings, origin, cwd)) {
      const uri = vscode.Uri.file(planned.location.file);
      const key = uri.toString();
      const bucket = perFile.get(key) ?? { uri, entries: [] };
      bucket.entries.push({
        diagnostic: toDiagnostic(planned),
        suggestions: planned.finding.suggestions,
        finding: planned.finding,
        cwd,
      });
      perFile.set(key, bucket);
    }
    // Files whose static warnings may show or hide now: every file a run touched or touches.
    const affected = new Map<string, vscode.Uri>();
    if (files === undefined) {
      if (origin === "run") for (const [key, uri] of this.#runUris) affected.set(key, uri);
      this.#collections[origin].clear();
      this.#index[origin].clear();
      if (origin === "run") this.#runUris.clear();
    }
    for (const [key, { uri, entries }] of perFile) {
      this.#index[origin].set(key, entries);
      if (origin === "run") {
        this.#runUris.set(key, uri);
        this.#collections.run.set(
          uri,
          entries.map((e) => e.diagnostic),
        );
      }
      affected.set(key, uri);
    }
    for (const [key, uri] of affected) this.#showStatic(key, uri);
  }

  /** A new run begins: the previous run's diagnostics no longer describe the program. */
  clearRun(): void {
    const touched = [...this.#runUris];
    this.#collections.run.clear();
    this.#index.run.clear();
    this.#runUris.clear();
    for (const [key, uri] of touched) this.#showStatic(key, uri);
  }

  /** The file changed: its run diagnostics point at lines that may have moved. */
  forgetRun(uri: vscode.Uri): void {
    const key = uri.toString();
    this.#collections.run.delete(uri);
    this.#index.run.delete(key);
    this.#runUris.delete(key);
    this.#showStatic(key, uri);
  }

  /**
   * Publishes a file's static warnings, minus those on a line a run's diagnostic covers: what
   * happened says more than what could, and one bug should not be listed twice. They come back
   * when the run's diagnostics go.
   */
  #showStatic(key: string, uri: vscode.Uri): void {
    const covered = new Set(
      (this.#index.run.get(key) ?? []).map((e) => e.diagnostic.range.start.line),
    );
    const shown = (this.#index.static.get(key) ?? [])
      .map((e) => e.diagnostic)
      .filter((d) => !covered.has(d.range.start.line));
    this.#collections.static.set(uri, shown);
  }

  /** The finding behind a diagnostic the editor hands back to a code action provider. */
  lookup(uri: vscode.Uri, diagnostic: vscode.Diagnostic): DiagnosticFinding | undefined {
    for (const origin of ["run", "static"] as const) {
      const entries = this.#index[origin].get(uri.toString()) ?? [];
      const found = entries.find((e) => sameDiagnostic(e.diagnostic, diagnostic));
      if (found !== undefined) return found;
    }
    return undefined;
  }

  dispose(): void {
    this.#collections.run.dispose();
    this.#collections.static.dispose();
  }
}

function toDiagnostic(planned: PlannedDiagnostic): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(
    siteRange(planned.location),
    planned.message,
    planned.severity === "error"
      ? vscode.DiagnosticSeverity.Error
      : vscode.DiagnosticSeverity.Warning,
  );
  diagnostic.source = DIAGNOSTIC_SOURCE;
  diagnostic.code = planned.code;
  diagnostic.relatedInformation = planned.related.map(
    (related) =>
      new vscode.DiagnosticRelatedInformation(
        new vscode.Location(vscode.Uri.file(related.location.file), siteRange(related.location)),
        related.message,
      ),
  );
  return diagnostic;
}

/** From the site's column to the end of its line's code: the acquisition call. */
function siteRange(site: SourceLocation): vscode.Range {
  const line = Math.max(0, site.line - 1);
  const column = Math.max(0, site.column - 1);
  const text = lineText(site.file, line);
  const end = text === undefined ? column + 1 : Math.max(column + 1, text.trimEnd().length);
  return new vscode.Range(line, column, line, end);
}

/** The line's text: from the open document if any (it may be unsaved), else from disk. */
function lineText(file: string, line: number): string | undefined {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
  if (open !== undefined) return line < open.lineCount ? open.lineAt(line).text : undefined;
  try {
    return readFileSync(file, "utf8").split("\n")[line];
  } catch {
    return undefined;
  }
}

function sameDiagnostic(a: vscode.Diagnostic, b: vscode.Diagnostic): boolean {
  return a.code === b.code && a.message === b.message && a.range.start.line === b.range.start.line;
}
