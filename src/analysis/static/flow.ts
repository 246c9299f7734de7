// Held-lock states along a function's paths: merging at joins (a lock held on one side only is
// held "maybe"), and the releases (explicit, guard, end of a `using` scope).
import type ts from "typescript";
import type { FunctionNode } from "./calls.ts";
import type { LockResolver } from "./locks.ts";
import type { Env, Hold, LockKind, LockRef, Site, State } from "./types.ts";

/** What a walk of one function needs from the whole analysis. */
export interface WalkContext {
  readonly resolver: LockResolver;
  /** Files of the analysis (calls into other files are not followed). */
  readonly analyzed: ReadonlySet<string>;
  readonly maxDepth: number;
  /** Whether a call by this callee expression can reach a lock operation (relevance.ts). */
  relevant(callee: ts.Expression): boolean;
  nodeId(node: ts.Node): number;
  site(node: ts.Node, fn: FunctionNode): Site;
  /** Walks `fn` from `state` (memoized); the state at its end, or `state` if not followed. */
  walkFunction(fn: FunctionNode, env: Env, state: State, depth: number): State;
  /** Records taking `lock` at `site` in `state`: lock-order edges and re-acquisitions. */
  taking(
    lock: LockRef,
    kind: LockKind | undefined,
    site: Site,
    state: readonly Hold[],
    shared: boolean,
  ): void;
}

function sameHold(a: Hold, b: Hold): boolean {
  return (
    a.lock.key === b.lock.key &&
    a.site.id === b.site.id &&
    a.scope === b.scope &&
    a.guard === b.guard
  );
}

/** The state after either of two paths. */
export function join(a: State, b: State): State {
  if (a === undefined) return b;
  if (b === undefined || a === b) return a;
  const merged: Hold[] = a.map((h) => {
    const other = b.find((o) => sameHold(o, h));
    return other !== undefined && other.must === h.must ? h : { ...h, must: false };
  });
  for (const h of b) if (!a.some((o) => sameHold(o, h))) merged.push({ ...h, must: false });
  return merged;
}

export function joinAll(states: readonly State[]): State {
  let result: State;
  for (const s of states) result = join(result, s);
  return result;
}

/** Without the holds of the `using` declarations of the given blocks. */
export function endScopes(state: State, blocks: readonly number[]): State {
  if (state === undefined || blocks.length === 0) return state;
  return state.some((h) => h.scope !== 0 && blocks.includes(h.scope))
    ? state.filter((h) => h.scope === 0 || !blocks.includes(h.scope))
    : state;
}

/** Without the last hold of `key` (a release). */
export function releaseLast(state: State, key: string): State {
  if (state === undefined) return state;
  for (let i = state.length - 1; i >= 0; i--) {
    if (state[i]?.lock.key === key) return [...state.slice(0, i), ...state.slice(i + 1)];
  }
  return state;
}

/** Without one particular hold (run/withLock's end, a failed conditional acquisition). */
export function without(state: State, hold: Hold): State {
  return state === undefined ? state : state.filter((h) => !sameHold(h, hold));
}

/** With `hold` held on every path. */
export function withHold(state: State, hold: Hold): State {
  if (state === undefined) return state;
  return [...state.filter((h) => !sameHold(h, hold)), { ...hold, must: true }];
}

/** A key for memoizing walks from this state. */
export function stateKey(state: State, symbolId: (symbol: ts.Symbol) => number): string {
  if (state === undefined) return "-";
  return state
    .map(
      (h) =>
        `${h.lock.key}@${h.site.id}#${h.scope}${h.must ? "" : "?"}` +
        (h.guard === undefined ? "" : `g${symbolId(h.guard)}`),
    )
    .join(",");
}
