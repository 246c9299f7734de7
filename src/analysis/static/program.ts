// The ts.Program of a static analysis: the analyzed files (read through the injected readFile,
// nothing else from disk), the stub library and the stub threadlens declarations. Imports
// between analyzed files resolve; anything else stays unresolved (noResolve), which the
// analysis treats as unknown.
import ts from "typescript";
import { LIB_FILE, LIB_SOURCE, STUB_DIR, THREADLENS_FILE, THREADLENS_SOURCE } from "./stub.ts";

/** A file that cannot be analyzed: unreadable, or not valid TypeScript/JavaScript. */
export interface SourceProblem {
  /** The path as given. */
  readonly file: string;
  /** 1-based; 0 when the problem is not at a position (an unreadable file). */
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export const COMPILER_OPTIONS: ts.CompilerOptions = {
  noLib: true,
  noResolve: true,
  allowJs: true,
  checkJs: false,
  noEmit: true,
  skipLibCheck: true,
  types: [],
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
  resolveJsonModule: false,
  jsx: ts.JsxEmit.Preserve,
};

function scriptKind(file: string): ts.ScriptKind {
  if (/\.tsx$/i.test(file)) return ts.ScriptKind.TSX;
  if (/\.jsx$/i.test(file)) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/i.test(file)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

function directoryOf(file: string): string {
  const at = file.lastIndexOf("/");
  return at <= 0 ? "/" : file.slice(0, at);
}

export interface StaticProgram {
  readonly program: ts.Program;
  /** The analyzed files' source files, in the order given. */
  readonly sourceFiles: readonly ts.SourceFile[];
  readonly problems: readonly SourceProblem[];
}

/** Builds the program over `files` (absolute paths with forward slashes). */
export function createStaticProgram(
  files: readonly string[],
  readFile: (path: string) => string | undefined,
  cwd: string,
): StaticProgram {
  const texts = new Map<string, string>([
    [LIB_FILE, LIB_SOURCE],
    [THREADLENS_FILE, THREADLENS_SOURCE],
  ]);
  const problems: SourceProblem[] = [];
  const readable: string[] = [];
  for (const file of new Set(files)) {
    const text = readFile(file);
    if (text === undefined) {
      problems.push({ file, line: 0, column: 0, message: "cannot read the file" });
      continue;
    }
    texts.set(file, text);
    readable.push(file);
  }
  const directories = new Set<string>([STUB_DIR]);
  for (const file of texts.keys()) {
    for (let dir = directoryOf(file); !directories.has(dir); dir = directoryOf(dir)) {
      directories.add(dir);
      if (dir === "/") break;
    }
  }
  const host: ts.CompilerHost = {
    getSourceFile: (name, languageVersion) => {
      const text = texts.get(name);
      if (text === undefined) return undefined;
      return ts.createSourceFile(name, text, languageVersion, true, scriptKind(name));
    },
    getDefaultLibFileName: () => LIB_FILE,
    writeFile: () => undefined,
    getCurrentDirectory: () => cwd,
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (name) => texts.has(name),
    readFile: (name) => texts.get(name),
    directoryExists: (name) => directories.has(name),
    getDirectories: () => [],
  };
  const program = ts.createProgram({
    rootNames: [LIB_FILE, THREADLENS_FILE, ...readable],
    options: COMPILER_OPTIONS,
    host,
  });
  const sourceFiles: ts.SourceFile[] = [];
  for (const file of readable) {
    const sourceFile = program.getSourceFile(file);
    if (sourceFile === undefined) continue;
    sourceFiles.push(sourceFile);
    for (const diagnostic of program.getSyntacticDiagnostics(sourceFile)) {
      const at = sourceFile.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
      problems.push({
        file,
        line: at.line + 1,
        column: at.character + 1,
        message: ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"),
      });
    }
  }
  return { program, sourceFiles, problems };
}
