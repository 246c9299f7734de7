// Expressions of a walk (walker.ts): lock operations (acquire, release, guards, run/withLock
// callbacks, acquireAll), conditions that hold a lock where they are true (tryAcquire, an
// acquisition's result), calls followed into the analyzed files, callbacks that run now
// (run/withLock, array methods, immediately called functions) and ones that run later.
import ts from "typescript";
import {
  calleeEnv,
  callsOnThis,
  inlineFunction,
  isFunctionNode,
  resolveFunction,
  type FunctionNode,
} from "./calls.ts";
import { join, releaseLast, withHold, without, type WalkContext } from "./flow.ts";
import { skipOuter, type LockCall } from "./locks.ts";
import type { Env, Hold, Site, State } from "./types.ts";

/** Array methods that call their callback before they return. */
const SYNC_CALLBACK_METHODS = new Set([
  "forEach",
  "map",
  "flatMap",
  "filter",
  "some",
  "every",
  "find",
  "findIndex",
  "findLast",
  "findLastIndex",
  "reduce",
  "reduceRight",
  "sort",
]);

export interface Branches {
  /** The state where the condition is true. */
  readonly t: State;
  readonly f: State;
}

export function skipAwait(expr: ts.Expression): ts.Expression {
  let e = skipOuter(expr);
  while (ts.isAwaitExpression(e)) e = skipOuter(e.expression);
  return e;
}

export class ExpressionWalker {
  /** Variables holding the result of an acquisition: `if (ok)` means the lock is held. */
  protected readonly condVars = new Map<ts.Symbol, Hold>();

  constructor(
    protected readonly ctx: WalkContext,
    protected readonly fn: FunctionNode,
    protected readonly env: Env,
    protected readonly depth: number,
  ) {}

  protected site(lc: LockCall): Site {
    return this.ctx.site(lc.call, this.fn);
  }

  protected operands(lc: LockCall, state: State): State {
    let s = state;
    for (const operand of lc.operands) s = this.expr(operand, s);
    return s;
  }

  /** Takes the first lock of `lc`: records what taking it means, returns the state holding it. */
  protected take(
    lc: LockCall,
    s: State,
    site: Site,
    scope: number,
    guard: ts.Symbol | undefined,
    blocking: boolean,
  ): { state: State; hold: Hold | undefined } {
    const lock = lc.locks[0];
    if (lock === undefined || s === undefined) return { state: s, hold: undefined };
    if (blocking) this.ctx.taking(lock, lc.kind, site, s, lc.shared === true);
    const hold: Hold = {
      lock,
      site,
      scope,
      guard,
      must: true,
      ...(lc.shared === true ? { shared: true as const } : {}),
    };
    return { state: [...s, hold], hold };
  }

  protected lockCall(
    lc: LockCall,
    state: State,
    scope: number,
    guard: ts.Symbol | undefined,
  ): State {
    const s = this.operands(lc, state);
    if (s === undefined) return s;
    const site = this.site(lc);
    switch (lc.op) {
      case "release": {
        const lock = lc.locks[0];
        return lock === undefined ? s : releaseLast(s, lock.key);
      }
      case "try":
        return s; // held only where its result is tested (#cond)
      case "acquire":
      case "guard":
        return this.take(lc, s, site, scope, guard, true).state;
      case "all": {
        const locks = lc.locks.filter((l) => l !== undefined);
        for (const lock of locks) this.ctx.taking(lock, undefined, site, s, false);
        return [...s, ...locks.map((lock) => ({ lock, site, scope, guard, must: true }))];
      }
      case "run": {
        const taken = this.take(lc, s, site, 0, undefined, true);
        const after =
          lc.callback === undefined ? taken.state : this.#callback(lc.callback, taken.state);
        return taken.hold === undefined ? after : without(after, taken.hold);
      }
    }
  }

  #nestedEnv(fn: FunctionNode): Env {
    return { bindings: this.env.bindings, thisKnown: ts.isArrowFunction(fn) && this.env.thisKnown };
  }

  /** Runs a callback now (run/withLock, an array method, an immediately called function). */
  #callback(callback: ts.Expression, s: State): State {
    const inline = inlineFunction(callback);
    if (inline !== undefined)
      return this.ctx.walkFunction(inline, this.#nestedEnv(inline), s, this.depth);
    return this.#follow(callback, [], s);
  }

  #follow(callee: ts.Expression, args: readonly ts.Expression[], s: State): State {
    if (s === undefined || this.depth >= this.ctx.maxDepth || !this.ctx.relevant(callee)) return s;
    const { resolver, analyzed } = this.ctx;
    const target = resolveFunction(callee, resolver, analyzed);
    if (target === undefined) return s;
    const onThis = !ts.isNewExpression(callee.parent) && callsOnThis(callee) && this.env.thisKnown;
    const env = calleeEnv(target, args, this.env, onThis, resolver);
    return this.ctx.walkFunction(target, env, s, this.depth + 1);
  }

  /** The guard variable a `g.release()` or `g[Symbol.dispose]()` call releases. */
  #guardReleased(callee: ts.Expression): ts.Symbol | undefined {
    let receiver: ts.Expression | undefined;
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === "release") {
      receiver = callee.expression;
    } else if (
      ts.isElementAccessExpression(callee) &&
      /^Symbol\.(async)?[dD]ispose$/.test(callee.argumentExpression.getText())
    ) {
      receiver = callee.expression;
    }
    const e = receiver === undefined ? undefined : skipOuter(receiver);
    return e !== undefined && ts.isIdentifier(e)
      ? this.ctx.resolver.checker.getSymbolAtLocation(e)
      : undefined;
  }

  #call(node: ts.CallExpression, state: State): State {
    const lc = this.ctx.resolver.lockCall(node, this.env);
    if (lc !== undefined) return this.lockCall(lc, state, 0, undefined);
    const callee = skipOuter(node.expression);
    const guard = this.#guardReleased(callee);
    if (guard !== undefined && state?.some((h) => h.guard === guard) === true) {
      return state.filter((h) => h.guard !== guard);
    }
    let s = state;
    const inline = inlineFunction(callee);
    if (inline !== undefined) {
      for (const arg of node.arguments) s = this.expr(arg, s);
      return this.#callback(inline, s);
    }
    s = this.expr(node.expression, s);
    const arrayMethod =
      ts.isPropertyAccessExpression(callee) &&
      SYNC_CALLBACK_METHODS.has(callee.name.text) &&
      (!this.ctx.relevant(callee) ||
        resolveFunction(callee, this.ctx.resolver, this.ctx.analyzed) === undefined);
    for (const arg of node.arguments) {
      const fn = arrayMethod ? inlineFunction(arg) : undefined;
      s = fn === undefined ? this.expr(arg, s) : join(s, this.#callback(fn, s));
    }
    return this.#follow(callee, node.arguments, s);
  }

  protected expr(node: ts.Node, s: State): State {
    if (s === undefined || ts.isTypeNode(node)) return s;
    if (ts.isCallExpression(node)) return this.#call(node, s);
    if (ts.isNewExpression(node)) {
      let r: State = s;
      for (const arg of node.arguments ?? []) r = this.expr(arg, r);
      return this.#follow(node.expression, node.arguments ?? [], r);
    }
    if (isFunctionNode(node)) {
      // Runs later (a callback, a task): on its own, holding nothing, with this walk's bindings.
      this.ctx.walkFunction(node, this.#nestedEnv(node), [], this.depth);
      return s;
    }
    if (ts.isClassLike(node)) return s;
    if (ts.isConditionalExpression(node)) {
      const c = this.cond(node.condition, s);
      return join(this.expr(node.whenTrue, c.t), this.expr(node.whenFalse, c.f));
    }
    if (ts.isBinaryExpression(node)) {
      const op = node.operatorToken.kind;
      if (
        op === ts.SyntaxKind.AmpersandAmpersandToken ||
        op === ts.SyntaxKind.BarBarToken ||
        op === ts.SyntaxKind.QuestionQuestionToken
      ) {
        const left = this.expr(node.left, s);
        return join(left, this.expr(node.right, left));
      }
    }
    let r: State = s;
    ts.forEachChild(node, (child) => {
      r = this.expr(child, r);
    });
    return r;
  }

  protected cond(node: ts.Expression, s: State): Branches {
    if (s === undefined) return { t: s, f: s };
    const e = skipOuter(node);
    if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) {
      const c = this.cond(e.operand, s);
      return { t: c.f, f: c.t };
    }
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (op === ts.SyntaxKind.AmpersandAmpersandToken) {
        const a = this.cond(e.left, s);
        const b = this.cond(e.right, a.t);
        return { t: b.t, f: join(a.f, b.f) };
      }
      if (op === ts.SyntaxKind.BarBarToken) {
        const a = this.cond(e.left, s);
        const b = this.cond(e.right, a.f);
        return { t: join(a.t, b.t), f: b.f };
      }
    }
    const inner = skipAwait(e);
    const lc = ts.isCallExpression(inner) ? this.ctx.resolver.lockCall(inner, this.env) : undefined;
    if (lc !== undefined && (lc.op === "acquire" || lc.op === "try")) {
      const before = this.operands(lc, s);
      const taken = this.take(lc, before, this.site(lc), 0, undefined, lc.op === "acquire");
      return { t: taken.state, f: before };
    }
    if (ts.isIdentifier(e)) {
      const symbol = this.ctx.resolver.checker.getSymbolAtLocation(e);
      const hold = symbol === undefined ? undefined : this.condVars.get(symbol);
      if (hold !== undefined) return { t: withHold(s, hold), f: without(s, hold) };
    }
    const r = this.expr(node, s);
    return { t: r, f: r };
  }
}
