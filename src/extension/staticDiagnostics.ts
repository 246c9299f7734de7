// The static analyzer in the editor (DESIGN 1.2): predicted lock-order problems of the whole
// workspace as warnings, no run needed. Per workspace folder, a WorkspaceAnalysis (pure,
// incremental) over every TS/JS source: a full analysis at activation, under a cancellable
// progress notification, then re-analysis when a document is opened or saved (with the text
// of unsaved open documents) and when files are created, changed outside the editor, or
// deleted. Changes arriving together (a save of several files, a checkout) make one analysis.
// Static analysis only reads text, so it runs in untrusted workspaces too. A file outside every
// workspace folder is analyzed alone when opened or saved.
import { readFileSync } from "node:fs";
import path from "node:path";
import * as vscode from "vscode";
import { checkSources } from "../analysis/static/index.ts";
import { WorkspaceAnalysis, type WorkspaceResult } from "../analysis/static/workspace.ts";
import type { FindingDiagnostics } from "./diagnostics.ts";

const SOURCE_GLOB = "**/*.{ts,mts,cts,tsx,js,mjs,cjs}";
/** Dependencies and build output: not the user's sources. */
const EXCLUDE_GLOB = "{**/node_modules/**,**/dist/**,**/out/**}";
const SOURCE = /\.(?:[cm]?ts|tsx|[cm]?js)$/i;
const DECLARATION = /\.d\.[cm]?ts$/i;
const EXCLUDED_SEGMENT = /\/(?:node_modules|dist|out)\//;
/** Files read and parsed between two yields to the extension host during the full analysis. */
const CHUNK = 100;
/** Changes arriving within this time are analyzed together. */
const SETTLE_MS = 100;

/** A pending change: read the file from disk, or it is gone. */
const READ = Symbol("read");
const DELETED = Symbol("deleted");

/** The analysis' form of a file path: absolute, forward slashes. */
function toPosix(uri: vscode.Uri): string {
  return uri.fsPath.replace(/\\/g, "/");
}

function isSource(file: string): boolean {
  return SOURCE.test(file) && !DECLARATION.test(file) && !EXCLUDED_SEGMENT.test(file);
}

/** An open document's text (saved or not), else the file on disk. */
function readSource(file: string): string | undefined {
  const open = vscode.workspace.textDocuments.find(
    (d) => d.uri.scheme === "file" && toPosix(d.uri) === file,
  );
  return open !== undefined ? open.getText() : readDisk(file);
}

function readDisk(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function yieldToHost(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** One workspace folder's analysis and the files it has put diagnostics on. */
class FolderAnalysis {
  readonly cwd: string;
  readonly analysis: WorkspaceAnalysis;
  #published: readonly vscode.Uri[] = [];

  constructor(readonly folder: vscode.WorkspaceFolder) {
    this.cwd = toPosix(folder.uri);
    this.analysis = new WorkspaceAnalysis({ cwd: this.cwd, readFile: readSource });
  }

  /** Replaces this folder's static diagnostics, clearing files that no longer have any. */
  publish(result: WorkspaceResult, diagnostics: FindingDiagnostics): void {
    const uris = new Map(this.#published.map((uri) => [uri.toString(), uri]));
    const now: vscode.Uri[] = [];
    for (const file of new Set(result.findings.flatMap((f) => f.sites.map((s) => s.file)))) {
      const uri = vscode.Uri.file(path.resolve(this.cwd, file));
      uris.set(uri.toString(), uri);
      now.push(uri);
    }
    diagnostics.set("static", result.findings, this.cwd, [...uris.values()]);
    this.#published = now;
  }

  clear(diagnostics: FindingDiagnostics): void {
    diagnostics.set("static", [], this.cwd, this.#published);
    this.#published = [];
  }
}

export class StaticDiagnostics implements vscode.Disposable {
  readonly #diagnostics: FindingDiagnostics;
  readonly #log: vscode.LogOutputChannel;
  readonly #folders = new Map<string, FolderAnalysis>();
  /** Changed files (path → new text, "read" from the editor or disk, or deleted). */
  readonly #pending = new Map<string, string | typeof READ | typeof DELETED>();
  readonly #subscriptions: vscode.Disposable[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The full analyses under way: changes wait for them. */
  #loading: Promise<void> = Promise.resolve();
  #disposed = false;

  constructor(diagnostics: FindingDiagnostics, log: vscode.LogOutputChannel) {
    this.#diagnostics = diagnostics;
    this.#log = log;
    const sources = vscode.workspace.createFileSystemWatcher(SOURCE_GLOB, false, false, true);
    // Deleting a folder reports the folder alone, which no source pattern matches.
    const deletions = vscode.workspace.createFileSystemWatcher("**/*", true, true, false);
    this.#subscriptions.push(
      sources,
      deletions,
      sources.onDidCreate((uri) => this.#changed(uri, READ)),
      deletions.onDidDelete((uri) => this.#changed(uri, DELETED)),
      // Changed outside the editor (a checkout); a dirty document is taken in when saved.
      sources.onDidChange((uri) => {
        const open = vscode.workspace.textDocuments.find(
          (d) => d.uri.toString() === uri.toString(),
        );
        if (open === undefined || !open.isDirty) this.#changed(uri, READ);
      }),
      vscode.workspace.onDidOpenTextDocument((d) => this.#document(d)),
      vscode.workspace.onDidSaveTextDocument((d) => this.#document(d)),
      vscode.workspace.onDidChangeWorkspaceFolders((e) => {
        for (const folder of e.removed) this.#removeFolder(folder);
        this.#load(e.added);
      }),
    );
    this.#load(vscode.workspace.workspaceFolders ?? []);
    for (const document of vscode.workspace.textDocuments) this.#document(document);
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    for (const subscription of this.#subscriptions) subscription.dispose();
  }

  #document(document: vscode.TextDocument): void {
    if (document.uri.scheme !== "file" || !isSource(toPosix(document.uri))) return;
    if (vscode.workspace.getWorkspaceFolder(document.uri) === undefined) {
      this.#analyzeAlone(document);
      return;
    }
    this.#changed(document.uri, document.getText());
  }

  #changed(uri: vscode.Uri, change: string | typeof READ | typeof DELETED): void {
    if (uri.scheme !== "file") return;
    const file = toPosix(uri);
    if (change === DELETED && !SOURCE.test(file)) {
      // A folder: its files go with it (the watcher reports the folder only).
      for (const folder of this.#folders.values()) {
        for (const known of folder.analysis.files) {
          if (known.startsWith(`${file}/`)) this.#pending.set(known, DELETED);
        }
      }
    } else if (isSource(file)) {
      this.#pending.set(file, change);
    } else {
      return;
    }
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#loading.then(() => this.#flush());
    }, SETTLE_MS);
  }

  /** Takes the pending changes in: one analysis per folder they touch. */
  #flush(): void {
    if (this.#disposed) return;
    const touched = new Set<FolderAnalysis>();
    for (const [file, change] of this.#pending) {
      const folder = this.#folderOf(file);
      if (folder === undefined) continue;
      const text = change === READ ? readDisk(file) : change === DELETED ? undefined : change;
      folder.analysis.change(file, text);
      touched.add(folder);
    }
    this.#pending.clear();
    for (const folder of touched) this.#analyze(folder, "re-analysis");
  }

  #folderOf(file: string): FolderAnalysis | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
    return folder === undefined ? undefined : this.#folders.get(folder.uri.toString());
  }

  #analyze(folder: FolderAnalysis, what: string): void {
    const started = Date.now();
    try {
      const result = folder.analysis.analyze();
      folder.publish(result, this.#diagnostics);
      this.#log.info(
        `static ${what} of ${folder.folder.name}: ${result.fileCount} files, ${
          result.analyzedFiles.length
        } analyzed, ${result.findings.length} finding(s) in ${Date.now() - started} ms`,
      );
    } catch (error) {
      this.#log.error(`static ${what} of ${folder.folder.name} failed: ${String(error)}`);
    }
  }

  #load(folders: readonly vscode.WorkspaceFolder[]): void {
    if (folders.length === 0) return;
    this.#loading = this.#loading
      .then(() =>
        vscode.window.withProgress(
          {
            location: vscode.ProgressLocation.Notification,
            title: "threadlens: lock-order analysis",
            cancellable: true,
          },
          async (progress, token) => {
            for (const folder of folders) {
              if (this.#disposed || token.isCancellationRequested) return;
              await this.#loadFolder(folder, progress, token);
            }
          },
        ),
      )
      .then(undefined, (error: unknown) => {
        // Later changes still wait on this chain: it must not stay rejected.
        this.#log.error(`static analysis could not load the workspace: ${String(error)}`);
      });
  }

  /**
   * Reads and parses the folder's sources in chunks (the extension host stays responsive),
   * then analyzes them. Cancelling stops the reading: the files read so far, and those opened
   * or saved later, are analyzed.
   */
  async #loadFolder(
    workspaceFolder: vscode.WorkspaceFolder,
    progress: vscode.Progress<{ message?: string; increment?: number }>,
    token: vscode.CancellationToken,
  ): Promise<void> {
    const folder = new FolderAnalysis(workspaceFolder);
    this.#folders.set(workspaceFolder.uri.toString(), folder);
    let uris: vscode.Uri[];
    try {
      const pattern = new vscode.RelativePattern(workspaceFolder, SOURCE_GLOB);
      uris = await vscode.workspace.findFiles(pattern, EXCLUDE_GLOB, undefined, token);
    } catch (error) {
      this.#log.error(`cannot list the sources of ${workspaceFolder.name}: ${String(error)}`);
      return;
    }
    const files = uris.map(toPosix).filter(isSource).sort();
    for (let done = 0; done < files.length; done += CHUNK) {
      if (token.isCancellationRequested || this.#disposed) {
        this.#log.info(`static analysis of ${workspaceFolder.name}: cancelled after ${done} files`);
        break;
      }
      folder.analysis.add(files.slice(done, done + CHUNK));
      const read = Math.min(files.length, done + CHUNK);
      progress.report({
        message: `${workspaceFolder.name}: ${read} of ${files.length} files`,
        increment: (100 * (read - done)) / files.length / this.#folderCount(),
      });
      await yieldToHost();
    }
    if (this.#disposed || this.#folders.get(workspaceFolder.uri.toString()) !== folder) return;
    progress.report({ message: `${workspaceFolder.name}: analyzing` });
    await yieldToHost();
    this.#analyze(folder, "analysis");
  }

  #folderCount(): number {
    return Math.max(1, vscode.workspace.workspaceFolders?.length ?? 1);
  }

  #removeFolder(workspaceFolder: vscode.WorkspaceFolder): void {
    const key = workspaceFolder.uri.toString();
    this.#folders.get(key)?.clear(this.#diagnostics);
    this.#folders.delete(key);
  }

  /** A file outside every workspace folder: its own findings, as before any workspace. */
  #analyzeAlone(document: vscode.TextDocument): void {
    if (!document.getText().includes("threadlens")) return;
    const file = toPosix(document.uri);
    const cwd = path.posix.dirname(file);
    try {
      const result = checkSources({
        cwd,
        files: [file],
        readFile: (p) => (p === file ? document.getText() : undefined),
      });
      this.#diagnostics.set("static", result.findings, cwd, [document.uri]);
    } catch (error) {
      this.#log.error(`static analysis of ${file} failed: ${String(error)}`);
    }
  }
}

export function registerStaticDiagnostics(
  diagnostics: FindingDiagnostics,
  log: vscode.LogOutputChannel,
): vscode.Disposable {
  return new StaticDiagnostics(diagnostics, log);
}
