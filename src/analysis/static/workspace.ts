// The static analysis of a whole workspace, kept up to date as files change (the editor's
// analysis, DESIGN 1.2): every file is parsed once and summarized (fileSummary.ts); an update
// re-parses the one file, and the program is rebuilt on the previous one, so unchanged files
// keep their trees, binding and module resolutions. Pure: texts come from the injected reader
// or from the caller; nothing here touches the disk or the editor.
//
// Which files the lock analysis gets (the rest are parsed and summarized, never type-checked
// or walked). A file is *relevant* when
//   1. its text mentions `threadlens` (it imports the primitives, or declares an order), or
//   2. its code calls a name that can reach a lock operation: an operation's name (`acquire`,
//      `withLock`, ...) or, by a fixpoint over every file, the name of a function that calls
//      such a name. A helper that never mentions threadlens but takes a lock parameter, or
//      calls (through any chain of files) a function that takes a lock, is relevant.
// The analyzed files are the relevant ones and, transitively, every workspace file they import
// (relative imports, re-exports, require, import()): where their locks, lock types and the
// functions they call are declared, barrels included. This is sound for what the analysis can
// find: findings come from lock operations (rule 2) in functions reached by calls, and calls
// are followed by name-resolved declarations; a function whose code calls no lock-reaching
// name neither takes a lock nor leads to one, and every declaration an analyzed file resolves
// to is in a file it imports. A file outside the set is therefore invisible to the result, so
// an edit of one that stays outside returns the previous result without any analysis.
import ts from "typescript";
import { analyzeProgram, type StaticAnalysisOptions, type StaticResult } from "./index.ts";
import { lockReachingNames, summarize, type FileSummary } from "./fileSummary.ts";
import { COMPILER_OPTIONS, parseChecked, programOf, type SourceProblem } from "./program.ts";

export interface WorkspaceAnalysisOptions extends StaticAnalysisOptions {
  /** A file's text (absolute path with forward slashes), undefined when it cannot be read. */
  readonly readFile: (path: string) => string | undefined;
}

export interface WorkspaceResult extends StaticResult {
  /** Files that could not be read (left out). */
  readonly problems: readonly SourceProblem[];
  /** Files of the workspace. */
  readonly fileCount: number;
  /** The files the lock analysis needed (relevant ones and their imports), sorted. */
  readonly analyzedFiles: readonly string[];
  /** The relevant files, whose code is walked, sorted. */
  readonly relevantFiles: readonly string[];
}

interface Entry {
  readonly sourceFile: ts.SourceFile;
  readonly summary: FileSummary;
}

function directoryOf(file: string): string {
  const at = file.lastIndexOf("/");
  return at <= 0 ? "/" : file.slice(0, at);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export class WorkspaceAnalysis {
  readonly #options: WorkspaceAnalysisOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #unreadable = new Set<string>();
  /** Files refused (nested too deep to analyze), with why; left out like unreadable ones. */
  readonly #refused = new Map<string, SourceProblem>();
  /** `directory|specifier` → the workspace file it resolves to; cleared when files come or go. */
  readonly #resolutions = new Map<string, string | undefined>();
  /** Files added, changed or removed since the last analysis. */
  readonly #changed = new Set<string>();
  #program: ts.Program | undefined;
  #result: WorkspaceResult | undefined;

  constructor(options: WorkspaceAnalysisOptions) {
    this.#options = options;
  }

  /** The workspace's files, sorted. */
  get files(): readonly string[] {
    return [...this.#entries.keys()].sort();
  }

  /** Reads and parses `files` (absolute, forward slashes); analyze() then takes them in. */
  add(files: Iterable<string>): void {
    for (const file of files) this.#set(file, this.#options.readFile(file));
  }

  /**
   * A file changed (its new text, unsaved or not), was created, or was deleted (undefined);
   * analyze() then takes the change in. Several changes make one analysis.
   */
  change(file: string, text: string | undefined): void {
    if (text === undefined) {
      const known =
        this.#entries.delete(file) || this.#unreadable.delete(file) || this.#refused.delete(file);
      if (known) {
        this.#resolutions.clear();
        this.#changed.add(file);
      }
    } else if (this.#entries.get(file)?.sourceFile.text !== text) {
      this.#set(file, text);
    }
  }

  /** change(), then the findings of the whole workspace after it. */
  update(file: string, text: string | undefined): WorkspaceResult {
    this.change(file, text);
    return this.analyze();
  }

  /** The findings of the whole workspace (the previous ones when no analyzed file changed). */
  analyze(): WorkspaceResult {
    const { relevant, analyzed } = this.#analyzedFiles();
    const previous = this.#result;
    const changed = [...this.#changed];
    this.#changed.clear();
    if (
      previous !== undefined &&
      sameList(previous.analyzedFiles, analyzed) &&
      !changed.some((file) => this.#entries.has(file) && analyzed.includes(file))
    ) {
      this.#result = { ...previous, fileCount: this.#entries.size, problems: this.#problems() };
      return this.#result;
    }
    const trees = new Map(analyzed.map((file) => [file, this.#entry(file).sourceFile]));
    const program = programOf(trees, this.#options.cwd, this.#program);
    this.#program = program;
    const tree = (file: string): ts.SourceFile => program.getSourceFile(file) ?? this.#tree(file);
    this.#result = {
      ...analyzeProgram(program, analyzed.map(tree), this.#options, relevant.map(tree)),
      problems: this.#problems(),
      fileCount: this.#entries.size,
      analyzedFiles: analyzed,
      relevantFiles: relevant,
    };
    return this.#result;
  }

  #set(file: string, text: string | undefined): void {
    const isNew = !this.#entries.has(file);
    if (text === undefined) {
      this.#entries.delete(file);
      this.#unreadable.add(file);
    } else {
      const checked = parseChecked(file, text);
      this.#unreadable.delete(file);
      if ("problem" in checked) {
        this.#entries.delete(file);
        this.#refused.set(file, checked.problem);
      } else {
        this.#entries.set(file, { sourceFile: checked.source, summary: summarize(checked.source) });
        this.#refused.delete(file);
      }
    }
    if (isNew || text === undefined) this.#resolutions.clear();
    this.#changed.add(file);
  }

  #entry(file: string): Entry {
    const entry = this.#entries.get(file);
    if (entry === undefined) throw new Error(`not a workspace file: ${file}`);
    return entry;
  }

  #tree(file: string): ts.SourceFile {
    return this.#entry(file).sourceFile;
  }

  #problems(): SourceProblem[] {
    const unreadable = [...this.#unreadable].map((file) => ({
      file,
      line: 0,
      column: 0,
      message: "cannot read the file",
    }));
    return [...unreadable, ...this.#refused.values()].sort((a, b) =>
      a.file < b.file ? -1 : a.file > b.file ? 1 : 0,
    );
  }

  /** The relevant files and, with them, the workspace files they import transitively; sorted. */
  #analyzedFiles(): { relevant: string[]; analyzed: string[] } {
    const names = lockReachingNames([...this.#entries.values()].map((e) => e.summary));
    const pending: string[] = [];
    for (const [file, { summary }] of this.#entries) {
      if (summary.mentionsThreadlens || [...summary.calls].some((c) => names.has(c))) {
        pending.push(file);
      }
    }
    const relevant = [...pending].sort();
    const analyzed = new Set(pending);
    for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
      for (const specifier of this.#entry(file).summary.imports) {
        const target = this.#resolve(specifier, file);
        if (target !== undefined && !analyzed.has(target)) {
          analyzed.add(target);
          pending.push(target);
        }
      }
    }
    return { relevant, analyzed: [...analyzed].sort() };
  }

  /** The workspace file a relative import resolves to, as the program resolves it. */
  #resolve(specifier: string, from: string): string | undefined {
    const key = `${directoryOf(from)}|${specifier}`;
    if (this.#resolutions.has(key)) return this.#resolutions.get(key);
    const resolved = ts.resolveModuleName(specifier, from, COMPILER_OPTIONS, {
      fileExists: (name) => this.#entries.has(name),
      readFile: (name) => this.#entries.get(name)?.sourceFile.text,
    }).resolvedModule?.resolvedFileName;
    const target = resolved !== undefined && this.#entries.has(resolved) ? resolved : undefined;
    this.#resolutions.set(key, target);
    return target;
  }
}
