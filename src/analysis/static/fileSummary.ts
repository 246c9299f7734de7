// What the workspace analysis keeps of each file to decide, without the type checker, whether
// the file can matter to the lock analysis: the names its code calls, its named functions with
// the names each calls, the modules it imports, and whether it mentions threadlens. The
// decision (workspace.ts) runs relevance.ts' by-name fixpoint over these summaries instead of
// over syntax trees, so a file that did not change is never visited again.
import ts from "typescript";
import { isFunctionNode } from "./calls.ts";
import { calleeName, LOCK_OPERATIONS, nameOf } from "./relevance.ts";

/** A named function (or class, by its constructor) and the names its code calls. */
export interface NamedFunction {
  readonly name: string;
  /** Closures included: a call in an arrow inside it counts for it too. */
  readonly calls: readonly string[];
}

export interface FileSummary {
  /** The text says `threadlens`: it imports the library or declares an order. */
  readonly mentionsThreadlens: boolean;
  /** Every name called (or constructed) anywhere in the file. */
  readonly calls: ReadonlySet<string>;
  readonly functions: readonly NamedFunction[];
  /** Relative module specifiers of imports, re-exports, and require or dynamic import calls. */
  readonly imports: readonly string[];
}

function isRelative(specifier: string): boolean {
  return specifier.startsWith("./") || specifier.startsWith("../");
}

/** The module a statement or call imports, if it names one with a string literal. */
function importedModule(node: ts.Node): string | undefined {
  let specifier: ts.Expression | undefined;
  if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
    specifier = node.moduleSpecifier;
  } else if (
    ts.isImportEqualsDeclaration(node) &&
    ts.isExternalModuleReference(node.moduleReference)
  ) {
    specifier = node.moduleReference.expression;
  } else if (
    ts.isCallExpression(node) &&
    (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
      (ts.isIdentifier(node.expression) && node.expression.text === "require"))
  ) {
    specifier = node.arguments[0];
  }
  return specifier !== undefined && ts.isStringLiteralLike(specifier) ? specifier.text : undefined;
}

/** One pass over the file's tree. */
export function summarize(sourceFile: ts.SourceFile): FileSummary {
  const calls = new Set<string>();
  const imports = new Set<string>();
  const functions: { name: string; calls: Set<string> }[] = [];
  const visit = (node: ts.Node, owners: readonly Set<string>[]): void => {
    let inner = owners;
    if (isFunctionNode(node)) {
      const name = nameOf(node);
      if (name !== "") {
        const own = new Set<string>();
        functions.push({ name, calls: own });
        inner = [...owners, own];
      }
    }
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const name = calleeName(node.expression);
      if (name !== "") {
        calls.add(name);
        for (const owner of inner) owner.add(name);
      }
    }
    const specifier = importedModule(node);
    if (specifier !== undefined && isRelative(specifier)) imports.add(specifier);
    ts.forEachChild(node, (child) => visit(child, inner));
  };
  visit(sourceFile, []);
  return {
    mentionsThreadlens: sourceFile.text.includes("threadlens"),
    calls,
    functions: functions.map((f) => ({ name: f.name, calls: [...f.calls] })),
    imports: [...imports],
  };
}

/**
 * The names of functions that can reach a lock operation through calls (by name), the
 * operations included: relevance.ts' fixpoint, over summaries.
 */
export function lockReachingNames(summaries: Iterable<FileSummary>): Set<string> {
  const callers = new Map<string, string[]>();
  for (const summary of summaries) {
    for (const fn of summary.functions) {
      for (const callee of fn.calls) {
        const list = callers.get(callee);
        if (list === undefined) callers.set(callee, [fn.name]);
        else list.push(fn.name);
      }
    }
  }
  const names = new Set(LOCK_OPERATIONS);
  const pending = [...names];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    for (const caller of callers.get(name) ?? []) {
      if (names.has(caller)) continue;
      names.add(caller);
      pending.push(caller);
    }
  }
  return names;
}
