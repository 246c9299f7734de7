// A syntactic pre-pass that keeps the walk to the code that can matter: the names of the
// functions that (through calls, by name) can reach a lock operation. A call to any other name
// cannot take or release a lock, so it is not resolved (resolving a method call makes the
// type checker infer its receiver's type, the expensive part of the analysis) nor followed,
// and a function that reaches no lock operation is not walked.
import ts from "typescript";
import { LOCK_METHOD_OPS } from "../lockMethods.ts";
import { isFunctionNode } from "./calls.ts";

/** Method and function names that take or release locks. */
export const LOCK_OPERATIONS: ReadonlySet<string> = new Set([
  ...LOCK_METHOD_OPS.keys(),
  "withLock",
  "acquireAll",
  "acquireAllSync",
]);
/** The name a call or `new` goes by (`f()`, `x.f()`, `new F()`), "" when it has none. */
export function calleeName(expr: ts.Expression): string {
  let e = expr;
  while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return "";
}

/** The name a function is called by, "" when none. */
export function nameOf(fn: ts.Node): string {
  if (ts.isConstructorDeclaration(fn)) {
    return ts.isClassLike(fn.parent) && fn.parent.name !== undefined ? fn.parent.name.text : "";
  }
  const named = fn as { readonly name?: ts.Node };
  if (
    named.name !== undefined &&
    (ts.isIdentifier(named.name) ||
      ts.isPrivateIdentifier(named.name) ||
      ts.isStringLiteral(named.name))
  ) {
    return named.name.text;
  }
  const owner = fn.parent;
  if (
    (ts.isVariableDeclaration(owner) ||
      ts.isPropertyDeclaration(owner) ||
      ts.isPropertyAssignment(owner)) &&
    (ts.isIdentifier(owner.name) ||
      ts.isPrivateIdentifier(owner.name) ||
      ts.isStringLiteral(owner.name))
  ) {
    return owner.name.text;
  }
  return "";
}

/** One file's part of the pre-pass. */
interface FileCalls {
  /** Per function-like node (and the source file): the names it calls, closures included. */
  readonly calls: ReadonlyMap<ts.Node, ReadonlySet<string>>;
  /** Functions by the name they are called by. */
  readonly named: readonly (readonly [string, ts.Node])[];
}

/** Per tree: a tree that a later program reuses (the editor's workspace analysis) is visited once. */
const fileCallsCache = new WeakMap<ts.SourceFile, FileCalls>();

function fileCalls(sourceFile: ts.SourceFile): FileCalls {
  const cached = fileCallsCache.get(sourceFile);
  if (cached !== undefined) return cached;
  const calls = new Map<ts.Node, Set<string>>([[sourceFile, new Set()]]);
  const named: (readonly [string, ts.Node])[] = [];
  const visit = (node: ts.Node, owners: readonly ts.Node[]): void => {
    let inner = owners;
    if (isFunctionNode(node)) {
      inner = [...owners, node];
      calls.set(node, new Set());
      const name = nameOf(node);
      if (name !== "") named.push([name, node]);
    }
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const name = calleeName(node.expression);
      if (name !== "") for (const owner of inner) calls.get(owner)?.add(name);
    }
    ts.forEachChild(node, (child) => visit(child, inner));
  };
  visit(sourceFile, [sourceFile]);
  const result = { calls, named };
  fileCallsCache.set(sourceFile, result);
  return result;
}

/** What the pre-pass found. */
export class Relevance {
  /** Names of functions that can reach a lock operation (and the operations themselves). */
  readonly names = new Set<string>(LOCK_OPERATIONS);
  /** Functions and source files whose code (closures included) can reach a lock operation. */
  readonly #nodes = new Set<ts.Node>();

  constructor(sourceFiles: readonly ts.SourceFile[]) {
    const files = sourceFiles.map(fileCalls);
    const named = new Map<string, ReadonlySet<string>[]>();
    for (const file of files) {
      for (const [name, fn] of file.named) {
        named.set(name, [...(named.get(name) ?? []), file.calls.get(fn) ?? new Set()]);
      }
    }
    // Fixpoint: a name is relevant when a function of that name calls a relevant name.
    let changed = true;
    while (changed) {
      changed = false;
      for (const [name, callSets] of named) {
        if (this.names.has(name)) continue;
        if (callSets.some((set) => [...set].some((c) => this.names.has(c)))) {
          this.names.add(name);
          changed = true;
        }
      }
    }
    for (const file of files) {
      for (const [node, names] of file.calls) {
        if ([...names].some((c) => this.names.has(c))) this.#nodes.add(node);
      }
    }
  }

  /** Whether walking this function (or module) can find anything. */
  walks(node: ts.Node): boolean {
    return this.#nodes.has(node);
  }

  /** Whether a call by this callee expression can take or release a lock. */
  calls(callee: ts.Expression): boolean {
    return this.names.has(calleeName(callee));
  }
}
