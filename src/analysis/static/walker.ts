// The walk of one function body in program order, with the set of locks held at each point:
// statements here (blocks with the `using` guards they end, branches and loops joined,
// try/finally, jumps through finally blocks), expressions in expressions.ts. Calls to
// functions of the analyzed files are followed with the held set (WalkContext).
import ts from "typescript";
import { endScopes, join, joinAll } from "./flow.ts";
import { ExpressionWalker, skipAwait, type Branches } from "./expressions.ts";
import type { State } from "./types.ts";

type Jump = "break" | "continue" | "return";

interface Frame {
  readonly kind: "loop" | "switch" | "finally";
  /** Blocks open when the frame began: a jump to it ends the scopes of the ones after. */
  readonly depth: number;
  readonly jumps: { readonly kind: Jump; readonly state: State }[];
}

function jumpsOf(frame: Frame, kind: Jump): State[] {
  return frame.jumps.filter((j) => j.kind === kind).map((j) => j.state);
}

export class Walker extends ExpressionWalker {
  readonly #blocks: number[] = [];
  readonly #frames: Frame[] = [];
  readonly #returns: State[] = [];

  /** The state at the function's end (after any return) when it starts in `state`. */
  run(state: State): State {
    const fn = this.fn;
    let end: State;
    if (ts.isSourceFile(fn)) end = this.#block(fn.statements, fn, state);
    else if (fn.body === undefined) return state;
    else if (ts.isBlock(fn.body)) end = this.#block(fn.body.statements, fn.body, state);
    else end = this.expr(fn.body, state);
    return joinAll([end, ...this.#returns]);
  }

  #jump(kind: Jump, state: State): void {
    if (state === undefined) return;
    for (let i = this.#frames.length - 1; i >= 0; i--) {
      const frame = this.#frames[i] as Frame;
      const takes =
        frame.kind === "finally" ||
        kind === "break" ||
        (kind === "continue" && frame.kind === "loop");
      if (takes) {
        frame.jumps.push({ kind, state: endScopes(state, this.#blocks.slice(frame.depth)) });
        return;
      }
    }
    if (kind === "return") this.#returns.push(endScopes(state, this.#blocks));
  }

  #frame(kind: Frame["kind"]): Frame {
    const frame: Frame = { kind, depth: this.#blocks.length, jumps: [] };
    this.#frames.push(frame);
    return frame;
  }

  #block(statements: readonly ts.Statement[], node: ts.Node, state: State): State {
    const id = this.ctx.nodeId(node);
    this.#blocks.push(id);
    let s = state;
    for (const statement of statements) s = this.#stmt(statement, s);
    this.#blocks.pop();
    return endScopes(s, [id]);
  }

  #stmt(node: ts.Statement, s: State): State {
    if (s === undefined) return s;
    if (ts.isBlock(node)) return this.#block(node.statements, node, s);
    if (ts.isVariableStatement(node)) return this.#variables(node.declarationList, s);
    if (ts.isExpressionStatement(node)) return this.expr(node.expression, s);
    if (ts.isIfStatement(node)) {
      const c = this.cond(node.expression, s);
      const then = this.#stmt(node.thenStatement, c.t);
      return join(
        then,
        node.elseStatement === undefined ? c.f : this.#stmt(node.elseStatement, c.f),
      );
    }
    if (ts.isReturnStatement(node)) {
      this.#jump("return", node.expression === undefined ? s : this.expr(node.expression, s));
      return undefined;
    }
    if (ts.isThrowStatement(node)) {
      this.expr(node.expression, s);
      return undefined;
    }
    if (ts.isBreakStatement(node) || ts.isContinueStatement(node)) {
      this.#jump(ts.isBreakStatement(node) ? "break" : "continue", s);
      return undefined;
    }
    if (ts.isIterationStatement(node, false)) return this.#loop(node, s);
    if (ts.isSwitchStatement(node)) return this.#switch(node, s);
    if (ts.isTryStatement(node)) return this.#try(node, s);
    if (ts.isLabeledStatement(node)) return this.#stmt(node.statement, s);
    if (
      ts.isFunctionDeclaration(node) ||
      ts.isClassDeclaration(node) ||
      ts.isInterfaceDeclaration(node) ||
      ts.isTypeAliasDeclaration(node) ||
      ts.isModuleDeclaration(node) ||
      ts.isImportDeclaration(node) ||
      ts.isImportEqualsDeclaration(node) ||
      (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined)
    ) {
      return s; // declarations: their functions are walked on their own (roots, calls)
    }
    return this.expr(node, s);
  }

  #variables(list: ts.VariableDeclarationList, state: State): State {
    let s = state;
    const using = (list.flags & ts.NodeFlags.Using) !== 0;
    for (const decl of list.declarations) {
      if (decl.initializer === undefined) continue;
      const init = skipAwait(decl.initializer);
      const lc = ts.isCallExpression(init) ? this.ctx.resolver.lockCall(init, this.env) : undefined;
      const name =
        !using && ts.isIdentifier(decl.name)
          ? this.ctx.resolver.checker.getSymbolAtLocation(decl.name)
          : undefined;
      if (lc === undefined) {
        s = this.expr(decl.initializer, s);
      } else if (lc.op === "guard" || lc.op === "all") {
        s = this.lockCall(lc, s, using ? (this.#blocks.at(-1) ?? 0) : 0, name);
      } else if ((lc.op === "acquire" || lc.op === "try") && name !== undefined) {
        s = this.operands(lc, s);
        const blocking = lc.op === "acquire";
        const taken = this.take(lc, s, this.site(lc), 0, undefined, blocking);
        if (blocking) s = taken.state;
        if (taken.hold !== undefined) this.condVars.set(name, taken.hold);
      } else {
        s = this.lockCall(lc, s, 0, undefined);
      }
    }
    return s;
  }

  #loop(node: ts.IterationStatement, state: State): State {
    let s = state;
    if (ts.isForStatement(node) && node.initializer !== undefined) {
      s = ts.isVariableDeclarationList(node.initializer)
        ? this.#variables(node.initializer, s)
        : this.expr(node.initializer, s);
    }
    if (ts.isForOfStatement(node) || ts.isForInStatement(node)) s = this.expr(node.expression, s);
    const frame = this.#frame("loop");
    const condition = ts.isWhileStatement(node)
      ? node.expression
      : ts.isForStatement(node)
        ? node.condition
        : undefined;
    const test = (at: State): Branches =>
      condition === undefined ? { t: at, f: at } : this.cond(condition, at);
    let exit: State;
    if (ts.isDoStatement(node)) {
      const body = this.#stmt(node.statement, s);
      exit = this.cond(node.expression, join(body, joinAll(jumpsOf(frame, "continue")))).f;
    } else {
      const first = test(s);
      const body = this.#stmt(node.statement, first.t);
      let back = join(body, joinAll(jumpsOf(frame, "continue")));
      if (ts.isForStatement(node) && node.incrementor !== undefined) {
        back = this.expr(node.incrementor, back);
      }
      const forever = ts.isForStatement(node) && condition === undefined;
      exit = forever ? undefined : join(first.f, test(back).f);
    }
    this.#frames.pop();
    return join(exit, joinAll(jumpsOf(frame, "break")));
  }

  #switch(node: ts.SwitchStatement, state: State): State {
    const s = this.expr(node.expression, state);
    const frame = this.#frame("switch");
    let previous: State;
    let hasDefault = false;
    for (const clause of node.caseBlock.clauses) {
      if (ts.isDefaultClause(clause)) hasDefault = true;
      let entry = join(s, previous);
      if (ts.isCaseClause(clause)) entry = this.expr(clause.expression, entry);
      previous = clause.statements.reduce<State>((at, st) => this.#stmt(st, at), entry);
    }
    this.#frames.pop();
    return joinAll([previous, ...jumpsOf(frame, "break"), hasDefault ? undefined : s]);
  }

  #try(node: ts.TryStatement, s: State): State {
    const frame = node.finallyBlock === undefined ? undefined : this.#frame("finally");
    const tryEnd = this.#stmt(node.tryBlock, s);
    const catchEnd =
      node.catchClause === undefined
        ? undefined
        : this.#stmt(node.catchClause.block, join(s, tryEnd));
    const normal = join(tryEnd, catchEnd);
    if (frame === undefined || node.finallyBlock === undefined) return normal;
    this.#frames.pop();
    const finallyBlock = node.finallyBlock;
    for (const jump of frame.jumps) this.#jump(jump.kind, this.#stmt(finallyBlock, jump.state));
    if (normal !== undefined) return this.#stmt(finallyBlock, normal);
    // The finally block also runs when the try block throws: walk it for its own acquisitions.
    this.#stmt(finallyBlock, s);
    return undefined;
  }
}
