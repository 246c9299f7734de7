// Following calls: which function of the analyzed files a call runs, and the environment it
// runs in (its lock parameters bound to the caller's arguments where their identity is known,
// the lexical bindings of the functions around it, and whether `this` is the caller's).
import ts from "typescript";
import { skipOuter, type LockResolver } from "./locks.ts";
import type { Env, LockRef } from "./types.ts";

/** A function with a body, or a module's top-level code. */
export type FunctionNode =
  | ts.FunctionDeclaration
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction
  | ts.SourceFile;

export function isFunctionNode(node: ts.Node): node is Exclude<FunctionNode, ts.SourceFile> {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node)
  );
}

/** The function an expression is (a function expression or arrow, parentheses aside). */
export function inlineFunction(
  expr: ts.Expression,
): ts.FunctionExpression | ts.ArrowFunction | undefined {
  const e = skipOuter(expr);
  return ts.isFunctionExpression(e) || ts.isArrowFunction(e) ? e : undefined;
}

function propertyName(name: ts.PropertyName | undefined): string {
  if (name === undefined) return "";
  return ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isPrivateIdentifier(name)
    ? name.text
    : "";
}

export const MODULE_CODE = "<module>";
export const ANONYMOUS = "<anonymous>";

/** The name V8 would show for a function: `doA`, `Bank.transfer`, `<anonymous>`, `<module>`. */
export function functionName(node: FunctionNode): string {
  if (ts.isSourceFile(node)) return MODULE_CODE;
  const owner = node.parent;
  const className = ts.isClassLike(owner) && owner.name !== undefined ? owner.name.text : "";
  const qualified = (name: string): string => (className === "" ? name : `${className}.${name}`);
  if (ts.isConstructorDeclaration(node)) return qualified("constructor");
  if (
    ts.isMethodDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  ) {
    return qualified(propertyName(node.name) || ANONYMOUS);
  }
  if (node.name !== undefined) return node.name.text;
  if (ts.isVariableDeclaration(owner) && ts.isIdentifier(owner.name)) return owner.name.text;
  if (ts.isPropertyDeclaration(owner)) {
    const cls = owner.parent;
    const name = propertyName(owner.name);
    return ts.isClassLike(cls) && cls.name !== undefined ? `${cls.name.text}.${name}` : name;
  }
  if (ts.isPropertyAssignment(owner)) return propertyName(owner.name) || ANONYMOUS;
  return ANONYMOUS;
}

/** The function a declaration defines, if it has a body in an analyzed file. */
function bodyOf(decl: ts.Declaration, analyzed: ReadonlySet<string>): FunctionNode | undefined {
  if (!analyzed.has(decl.getSourceFile().fileName)) return undefined;
  if (isFunctionNode(decl)) return decl.body === undefined ? undefined : decl;
  if (
    (ts.isVariableDeclaration(decl) ||
      ts.isPropertyDeclaration(decl) ||
      ts.isPropertyAssignment(decl)) &&
    decl.initializer !== undefined
  ) {
    return inlineFunction(decl.initializer);
  }
  if (ts.isClassDeclaration(decl) || ts.isClassExpression(decl)) {
    return decl.members.find(
      (m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && m.body !== undefined,
    );
  }
  return undefined;
}

/** The function a callee expression (or a function passed by name) resolves to. */
export function resolveFunction(
  expr: ts.Expression,
  resolver: LockResolver,
  analyzed: ReadonlySet<string>,
): FunctionNode | undefined {
  const e = skipOuter(expr);
  const inline = inlineFunction(e);
  if (inline !== undefined) return inline;
  const nameNode = ts.isPropertyAccessExpression(e) ? e.name : ts.isIdentifier(e) ? e : undefined;
  if (nameNode === undefined) return undefined;
  const symbol = resolver.symbol(nameNode);
  for (const decl of symbol?.declarations ?? []) {
    const fn = bodyOf(decl, analyzed);
    if (fn !== undefined) return fn;
  }
  return undefined;
}

/** Whether `inner` is `outer` or inside it. */
function within(inner: ts.Node, outer: ts.Node): boolean {
  for (let n: ts.Node | undefined = inner; n !== undefined; n = n.parent) {
    if (n === outer) return true;
  }
  return false;
}

/**
 * The environment `callee` runs in when called with `args` from `caller`: the caller's bindings
 * of functions around the callee (its closure), its parameters bound to the arguments' locks.
 */
export function calleeEnv(
  callee: FunctionNode,
  args: readonly ts.Expression[],
  caller: Env,
  thisKnown: boolean,
  resolver: LockResolver,
): Env {
  const bindings = new Map<ts.Symbol, LockRef | undefined>();
  for (const [symbol, ref] of caller.bindings) {
    const owner = symbol.valueDeclaration?.parent;
    if (owner !== undefined && within(callee, owner)) bindings.set(symbol, ref);
  }
  if (!ts.isSourceFile(callee)) {
    for (const [i, param] of callee.parameters.entries()) {
      const arg = args[i];
      if (param.dotDotDotToken !== undefined || arg === undefined || ts.isSpreadElement(arg)) break;
      if (!ts.isIdentifier(param.name)) continue;
      const symbol = resolver.checker.getSymbolAtLocation(param.name);
      if (symbol !== undefined) bindings.set(symbol, resolver.identity(arg, caller));
    }
  }
  return { bindings, thisKnown };
}

/** Whether a call's receiver is `this` (or `super`), so the callee's `this` is the caller's. */
export function callsOnThis(callee: ts.Expression): boolean {
  const e = skipOuter(callee);
  if (ts.isIdentifier(e)) return true;
  if (!ts.isPropertyAccessExpression(e)) return false;
  const kind = skipOuter(e.expression).kind;
  return kind === ts.SyntaxKind.ThisKeyword || kind === ts.SyntaxKind.SuperKeyword;
}
