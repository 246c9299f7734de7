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

/** A file's syntax tree, parsed as every static program parses it (parents set). */
export function parseSource(file: string, text: string): ts.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, scriptKind(file));
}

/** The stubs' trees, parsed once: every program shares them, as editors share lib files. */
let stubFiles: ReadonlyMap<string, ts.SourceFile> | undefined;

function stubs(): ReadonlyMap<string, ts.SourceFile> {
  stubFiles ??= new Map([
    [LIB_FILE, parseSource(LIB_FILE, LIB_SOURCE)],
    [THREADLENS_FILE, parseSource(THREADLENS_FILE, THREADLENS_SOURCE)],
  ]);
  return stubFiles;
}

/**
 * The program over already parsed files (absolute paths with forward slashes) and the stubs.
 * Given the previous program of the same files, unchanged trees are reused with their binding
 * and module resolutions, which is what makes re-analysis after an edit cheap.
 */
export function programOf(
  files: ReadonlyMap<string, ts.SourceFile>,
  cwd: string,
  oldProgram?: ts.Program,
): ts.Program {
  const sourceFileOf = (name: string): ts.SourceFile | undefined =>
    files.get(name) ?? stubs().get(name);
  const directories = new Set<string>([STUB_DIR]);
  for (const file of files.keys()) {
    for (let dir = directoryOf(file); !directories.has(dir); dir = directoryOf(dir)) {
      directories.add(dir);
      if (dir === "/") break;
    }
  }
  const host: ts.CompilerHost = {
    getSourceFile: sourceFileOf,
    getDefaultLibFileName: () => LIB_FILE,
    writeFile: () => undefined,
    getCurrentDirectory: () => cwd,
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (name) => sourceFileOf(name) !== undefined,
    readFile: (name) => sourceFileOf(name)?.text,
    directoryExists: (name) => directories.has(name),
    getDirectories: () => [],
  };
  return ts.createProgram({
    rootNames: [LIB_FILE, THREADLENS_FILE, ...files.keys()],
    options: COMPILER_OPTIONS,
    host,
    ...(oldProgram === undefined ? {} : { oldProgram }),
  });
}

/** Syntax tree levels the analysis accepts (a 500-deep `if` nest is about 1,000 levels). */
export const MAX_NESTING = 1200;

export const TOO_DEEP = `too deeply nested to analyze (more than ${MAX_NESTING} levels)`;

/**
 * The first node nested deeper than MAX_NESTING, if any. The compiler's binder and checker,
 * and the walk of this analysis, recurse once per level: past this depth a file is refused
 * with a message instead of exhausting the stack. Measured with an explicit stack, so this
 * check cannot overflow itself.
 */
function deepestNode(source: ts.SourceFile): ts.Node | undefined {
  const stack: [ts.Node, number][] = [[source, 0]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [node, depth] = next;
    if (depth > MAX_NESTING) return node;
    ts.forEachChild(node, (child) => {
      stack.push([child, depth + 1]);
    });
  }
  return undefined;
}

/**
 * `text` parsed, or why it is refused: nested deeper than MAX_NESTING (the compiler's binder
 * and checker, and the analysis' walk, recurse per level), or so deep that the parser itself
 * exhausts the stack. Every path into the analysis (check, the editor's workspace) parses so.
 */
export function parseChecked(
  file: string,
  text: string,
): { readonly source: ts.SourceFile } | { readonly problem: SourceProblem } {
  try {
    const source = parseSource(file, text);
    const deepest = deepestNode(source);
    if (deepest === undefined) return { source };
    const at = source.getLineAndCharacterOfPosition(deepest.getStart(source));
    return { problem: { file, line: at.line + 1, column: at.character + 1, message: TOO_DEEP } };
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return { problem: { file, line: 0, column: 0, message: TOO_DEEP } };
  }
}

/** Builds the program over `files` (absolute paths with forward slashes). */
export function createStaticProgram(
  files: readonly string[],
  readFile: (path: string) => string | undefined,
  cwd: string,
): StaticProgram {
  const parsed = new Map<string, ts.SourceFile>();
  const problems: SourceProblem[] = [];
  for (const file of new Set(files)) {
    const text = readFile(file);
    if (text === undefined) {
      problems.push({ file, line: 0, column: 0, message: "cannot read the file" });
      continue;
    }
    const checked = parseChecked(file, text);
    if ("source" in checked) parsed.set(file, checked.source);
    else problems.push(checked.problem);
  }
  const program = programOf(parsed, cwd);
  const sourceFiles: ts.SourceFile[] = [];
  for (const file of parsed.keys()) {
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
