// Lock identity by symbol (DESIGN 5.5): a const (or never reassigned) variable, a class field
// reached through `this` (one identity per class), a static field, or a parameter bound at a
// call site. Anything else is unknown and stays unknown. Also recognizes the calls that take
// and release locks: `x.acquire()`/`acquireSync`/`tryAcquire`/`lock`/`lockSync`/`run`/
// `runSync`/`release`, `withLock(x, fn)` and `acquireAll([...])`.
import ts from "typescript";
import { kindsWhere, type ObjectKind } from "../../protocol/kinds.ts";
import { LOCK_METHOD_OPS, SHARED_LOCK_METHODS, type LockMethodOp } from "../lockMethods.ts";
import type { Env, LockKind, LockRef, SourcePos } from "./types.ts";

/** A method's op (lockMethods.ts), or "all" for `acquireAll([...])`. */
export type LockOp = LockMethodOp | "all";

export interface LockCall {
  readonly op: LockOp;
  readonly call: ts.CallExpression;
  /** The lock (for "all", each element); undefined for a lock of unknown identity. */
  readonly locks: readonly (LockRef | undefined)[];
  /** The kind of the (first) lock as its type says. */
  readonly kind: LockKind | undefined;
  /** The expressions to evaluate before the call takes effect. */
  readonly operands: readonly ts.Expression[];
  /** The function run while holding the lock (run, runSync, withLock). */
  readonly callback: ts.Expression | undefined;
  /** Taken (or given back) shared: an RWLock's read side. */
  readonly shared?: true;
}

/** Type and class names that are locks: each lock kind's class, and `AnyLock` (any of them). */
const LOCK_TYPES: ReadonlyMap<string, LockKind> = new Map<string, LockKind>([
  ...kindsWhere("lock").map((kind): [string, LockKind] => [kind, kind]),
  ["AnyLock", "lock"],
]);

/** A lock kind's class name (not `AnyLock`, which has no constructor). */
function lockClass(name: string): ObjectKind | undefined {
  const kind = LOCK_TYPES.get(name);
  return kind === "lock" ? undefined : kind;
}

/** Parentheses, type assertions and non-null assertions removed. */
export function skipOuter(expr: ts.Expression): ts.Expression {
  let e = expr;
  for (;;) {
    if (
      ts.isParenthesizedExpression(e) ||
      ts.isAsExpression(e) ||
      ts.isNonNullExpression(e) ||
      ts.isSatisfiesExpression(e) ||
      ts.isTypeAssertionExpression(e)
    ) {
      e = e.expression;
    } else {
      return e;
    }
  }
}

function combineKinds(kinds: readonly (LockKind | undefined)[]): LockKind | undefined {
  if (kinds.length === 0 || kinds.some((k) => k === undefined)) return undefined;
  const first = kinds[0];
  return kinds.every((k) => k === first) ? first : "lock";
}

/** The kind a type annotation or `new` expression declares, if it is a lock. */
function declaredKind(decl: ts.Node): LockKind | undefined {
  if (ts.isVariableDeclaration(decl) || ts.isParameter(decl) || ts.isPropertyDeclaration(decl)) {
    return newKind(creationOf(decl.initializer)) ?? kindOfTypeNode(decl.type);
  }
  if (ts.isBindingElement(decl)) return newKind(creationOf(decl.initializer));
  return undefined;
}

function newKind(creation: ts.NewExpression | undefined): LockKind | undefined {
  return creation !== undefined && ts.isIdentifier(creation.expression)
    ? LOCK_TYPES.get(creation.expression.text)
    : undefined;
}

function kindOfTypeNode(type: ts.TypeNode | undefined): LockKind | undefined {
  if (type === undefined) return undefined;
  if (ts.isUnionTypeNode(type)) return combineKinds(type.types.map(kindOfTypeNode));
  if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)) {
    return LOCK_TYPES.get(type.typeName.text);
  }
  return undefined;
}

/** `new Lock(...)`/`new RLock(...)` as written, with its position and literal name. */
function creationOf(init: ts.Expression | undefined): ts.NewExpression | undefined {
  const e = init === undefined ? undefined : skipOuter(init);
  if (e === undefined || !ts.isNewExpression(e) || !ts.isIdentifier(e.expression)) return undefined;
  return lockClass(e.expression.text) === undefined ? undefined : e;
}

export class LockResolver {
  readonly #checker: ts.TypeChecker;
  readonly #fileOrder: ReadonlyMap<string, number>;
  readonly #refs = new Map<ts.Symbol, LockRef | null>();
  readonly #symbolIds = new Map<ts.Symbol, number>();

  constructor(checker: ts.TypeChecker, fileOrder: ReadonlyMap<string, number>) {
    this.#checker = checker;
    this.#fileOrder = fileOrder;
  }

  get checker(): ts.TypeChecker {
    return this.#checker;
  }

  symbolId(symbol: ts.Symbol): number {
    let id = this.#symbolIds.get(symbol);
    if (id === undefined) {
      id = this.#symbolIds.size + 1;
      this.#symbolIds.set(symbol, id);
    }
    return id;
  }

  /** The symbol a node names, through import aliases. */
  symbol(node: ts.Node): ts.Symbol | undefined {
    const symbol = this.#checker.getSymbolAtLocation(node);
    if (symbol === undefined || (symbol.flags & ts.SymbolFlags.Alias) === 0) return symbol;
    const target = this.#checker.getAliasedSymbol(symbol);
    return (target.flags & ts.SymbolFlags.Alias) !== 0 || target.declarations === undefined
      ? undefined
      : target;
  }

  /** The lock `expr` names in `env`, or undefined when its identity is unknown. */
  identity(expr: ts.Expression, env: Env): LockRef | undefined {
    const e = skipOuter(expr);
    if (ts.isIdentifier(e)) {
      const local = this.#checker.getSymbolAtLocation(e);
      if (local !== undefined && env.bindings.has(local)) return env.bindings.get(local);
      const symbol = this.symbol(e);
      return symbol === undefined ? undefined : this.#variableRef(symbol);
    }
    if (!ts.isPropertyAccessExpression(e) || !ts.isIdentifier(e.name)) return undefined;
    const symbol = this.symbol(e.name);
    if (symbol === undefined) return undefined;
    if ((symbol.flags & ts.SymbolFlags.Variable) !== 0) return this.#variableRef(symbol);
    if ((symbol.flags & ts.SymbolFlags.Property) === 0) return undefined;
    const decl = symbol.valueDeclaration;
    if (decl === undefined) return undefined;
    const isStatic = (ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Static) !== 0;
    if (isStatic) return this.#fieldRef(symbol, decl, true);
    if (e.expression.kind === ts.SyntaxKind.ThisKeyword && env.thisKnown) {
      return this.#fieldRef(symbol, decl, false);
    }
    return undefined;
  }

  /** Lock, RLock or either, as the type of `expr` (or the lock's declaration) says. */
  lockKind(expr: ts.Expression, ref: LockRef | undefined): LockKind | undefined {
    const type = this.#checker.getTypeAtLocation(expr);
    const kind = this.#kindOfType(type);
    if (kind !== undefined) return kind;
    if ((type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) === 0) return undefined;
    // An unresolved type (an import from outside the analyzed files): the declarations decide.
    const e = skipOuter(expr);
    const symbol = ts.isIdentifier(e) ? this.#checker.getSymbolAtLocation(e) : undefined;
    const decl = symbol?.valueDeclaration;
    return (decl === undefined ? undefined : declaredKind(decl)) ?? ref?.kind;
  }

  #kindOfType(type: ts.Type): LockKind | undefined {
    if (type.isUnion()) return combineKinds(type.types.map((t) => this.#kindOfType(t)));
    const name = type.getSymbol()?.getName();
    return name === undefined ? undefined : lockClass(name);
  }

  /** The lock operation `call` is, if it is one on a lock. */
  lockCall(call: ts.CallExpression, env: Env): LockCall | undefined {
    const callee = skipOuter(call.expression);
    if (ts.isPropertyAccessExpression(callee)) {
      const op = LOCK_METHOD_OPS.get(callee.name.text);
      if (op !== undefined) {
        const ref = this.identity(callee.expression, env);
        const kind = this.lockKind(callee.expression, ref);
        if (kind === undefined) return undefined;
        const callback = op === "run" ? call.arguments[0] : undefined;
        const operands = [callee.expression, ...call.arguments.filter((a) => a !== callback)];
        const shared = SHARED_LOCK_METHODS.has(callee.name.text) ? { shared: true as const } : {};
        return { op, call, locks: [ref], kind, operands, callback, ...shared };
      }
    }
    const name = ts.isIdentifier(callee)
      ? callee.text
      : ts.isPropertyAccessExpression(callee)
        ? callee.name.text
        : "";
    const first = call.arguments[0];
    if (first === undefined) return undefined;
    if (name === "withLock") {
      const ref = this.identity(first, env);
      const kind = this.lockKind(first, ref);
      if (kind === undefined) return undefined;
      const callback = call.arguments[1];
      return { op: "run", call, locks: [ref], kind, operands: [first], callback };
    }
    if (name === "acquireAll" || name === "acquireAllSync") {
      const list = skipOuter(first);
      if (!ts.isArrayLiteralExpression(list)) {
        return {
          op: "all",
          call,
          locks: [],
          kind: undefined,
          operands: call.arguments,
          callback: undefined,
        };
      }
      const locks = list.elements.map((el) => this.identity(el, env));
      const kind = combineKinds(list.elements.map((el, i) => this.lockKind(el, locks[i])));
      return { op: "all", call, locks, kind, operands: call.arguments, callback: undefined };
    }
    return undefined;
  }

  #position(node: ts.Node): SourcePos {
    const sourceFile = node.getSourceFile();
    const at = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
    return { file: sourceFile.fileName, line: at.line + 1, column: at.character + 1 };
  }

  #order(decl: ts.Node): number {
    const sourceFile = decl.getSourceFile();
    const fileIndex = this.#fileOrder.get(sourceFile.fileName) ?? this.#fileOrder.size;
    return fileIndex * 2 ** 32 + decl.getStart(sourceFile);
  }

  #variableRef(symbol: ts.Symbol): LockRef | undefined {
    const cached = this.#refs.get(symbol);
    if (cached !== undefined) return cached ?? undefined;
    const decl = symbol.valueDeclaration;
    let ref: LockRef | null = null;
    if (
      decl !== undefined &&
      (ts.isVariableDeclaration(decl) || ts.isBindingElement(decl)) &&
      ts.isIdentifier(decl.name) &&
      isPlainVariable(decl) &&
      this.#fileOrder.has(decl.getSourceFile().fileName) &&
      !this.#reassigned(symbol, decl)
    ) {
      const creation = creationOf(decl.initializer);
      const alias = decl.name.text;
      ref = {
        key: `v${this.symbolId(symbol)}`,
        name: literalName(creation) ?? alias,
        alias,
        kind: declaredKind(decl),
        order: this.#order(decl),
        creation: creation === undefined ? undefined : this.#position(creation),
      };
    }
    this.#refs.set(symbol, ref);
    return ref ?? undefined;
  }

  #fieldRef(symbol: ts.Symbol, decl: ts.Declaration, isStatic: boolean): LockRef | undefined {
    const cached = this.#refs.get(symbol);
    if (cached !== undefined) return cached ?? undefined;
    let ref: LockRef | null = null;
    const cls = decl.parent;
    const field = symbol.getName();
    if (this.#fileOrder.has(decl.getSourceFile().fileName)) {
      const className = ts.isClassLike(cls) && cls.name !== undefined ? cls.name.text : "";
      const alias = isStatic ? `${className || "<class>"}.${field}` : `this.${field}`;
      let creation = ts.isPropertyDeclaration(decl) ? creationOf(decl.initializer) : undefined;
      if (creation === undefined && ts.isClassLike(cls)) creation = constructorCreation(cls, field);
      ref = {
        key: `f${this.symbolId(symbol)}`,
        name: literalName(creation) ?? alias,
        alias,
        kind: newKind(creation) ?? declaredKind(decl),
        order: this.#order(decl),
        creation: creation === undefined ? undefined : this.#position(creation),
      };
    }
    this.#refs.set(symbol, ref);
    return ref ?? undefined;
  }

  /** Whether a `let`/`var` is assigned after its declaration (in its file: imports are read-only). */
  #reassigned(symbol: ts.Symbol, decl: ts.VariableDeclaration | ts.BindingElement): boolean {
    if ((ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Constant) !== 0) return false;
    const name = symbol.getName();
    let assigned = false;
    const visit = (node: ts.Node): void => {
      if (assigned) return;
      if (
        ts.isBinaryExpression(node) &&
        node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
        node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
      ) {
        const target = skipOuter(node.left);
        if (ts.isIdentifier(target) && target.text === name && this.symbol(target) === symbol) {
          assigned = true;
          return;
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(decl.getSourceFile());
    return assigned;
  }
}

/**
 * A variable that names one object for its whole scope: not a destructured parameter, and not
 * a loop variable of for-of/for-in (a new object each iteration).
 */
function isPlainVariable(decl: ts.VariableDeclaration | ts.BindingElement): boolean {
  let root: ts.Node = decl;
  while (ts.isBindingElement(root)) root = root.parent.parent;
  if (!ts.isVariableDeclaration(root)) return false;
  const statement = root.parent.parent;
  return !ts.isForOfStatement(statement) && !ts.isForInStatement(statement);
}

function literalName(creation: ts.NewExpression | undefined): string | undefined {
  const arg = creation?.arguments?.[0];
  return arg !== undefined && ts.isStringLiteralLike(arg) && arg.text !== "" ? arg.text : undefined;
}

/** `this.field = new Lock(...)` in the class's constructor. */
function constructorCreation(
  cls: ts.ClassLikeDeclaration,
  field: string,
): ts.NewExpression | undefined {
  const ctor = cls.members.find(
    (m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && m.body !== undefined,
  );
  for (const statement of ctor?.body?.statements ?? []) {
    if (!ts.isExpressionStatement(statement)) continue;
    const e = statement.expression;
    if (
      ts.isBinaryExpression(e) &&
      e.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(e.left) &&
      e.left.expression.kind === ts.SyntaxKind.ThisKeyword &&
      e.left.name.text === field
    ) {
      return creationOf(e.right);
    }
  }
  return undefined;
}
