// The static lock-order graph: cycles (with the runtime's cycle search) whose edges can all
// hold at once (no common gate lock, the runtime's filter), and edges against declared orders.
import type { DeclaredOrder, DeclaredOrders } from "../declaredOrder.ts";
import { findDeadlockCycles, type DirectedGraph } from "../lockOrderGraph.ts";
import type { LockRef, StaticEdge } from "./types.ts";

export interface LockCycle {
  /** Oldest (first declared) lock first; hop i takes locks[i+1] while holding locks[i]. */
  readonly locks: readonly LockRef[];
  /** Per hop, the edges that take part in some combination that can deadlock. */
  readonly hops: readonly (readonly StaticEdge[])[];
}

export interface OrderViolation {
  readonly held: LockRef;
  readonly taken: LockRef;
  /** The declarations that put `taken` before `held`. */
  readonly chain: readonly DeclaredOrder[];
  readonly edges: readonly StaticEdge[];
}

/** Steps of the search for combinations of edges that can deadlock together, per cycle. */
const MAX_COMBINATION_STEPS = 10_000;
/** Edges of one cycle up to which exclusivity answers are kept (a square table of bytes). */
const MAX_MEMO_EDGES = 2048;

class EdgeGraph implements DirectedGraph {
  readonly refs: LockRef[];
  readonly #index = new Map<string, number>();
  readonly #out = new Map<number, Map<number, StaticEdge[]>>();
  readonly #sorted = new Map<number, readonly number[]>();

  constructor(edges: Iterable<StaticEdge>) {
    const byKey = new Map<string, LockRef>();
    const list = [...edges];
    for (const e of list) {
      byKey.set(e.from.key, e.from);
      byKey.set(e.to.key, e.to);
    }
    this.refs = [...byKey.values()].sort((a, b) => a.order - b.order || (a.key < b.key ? -1 : 1));
    this.refs.forEach((ref, i) => this.#index.set(ref.key, i));
    for (const e of list) {
      const from = this.#index.get(e.from.key) ?? 0;
      const to = this.#index.get(e.to.key) ?? 0;
      const targets = this.#out.get(from) ?? new Map<number, StaticEdge[]>();
      this.#out.set(from, targets);
      const existing = targets.get(to);
      if (existing === undefined) targets.set(to, [e]);
      else existing.push(e);
    }
  }

  // Nodes and successors in lock order, not in the order the edges were found: the cycle
  // search stops at a number of cycles, and which it finds first must not depend on the walk's
  // order (the incremental re-analysis of fix edits lists the same edges in another order).
  nodes(): Iterable<number> {
    return [...this.#out.keys()].sort((a, b) => a - b);
  }

  successors(node: number): Iterable<number> {
    let sorted = this.#sorted.get(node);
    if (sorted === undefined) {
      sorted = [...(this.#out.get(node)?.keys() ?? [])].sort((a, b) => a - b);
      this.#sorted.set(node, sorted);
    }
    return sorted;
  }

  edges(from: number, to: number): readonly StaticEdge[] {
    return this.#out.get(from)?.get(to) ?? [];
  }
}

/** Marks a gate lock held shared (`key~r`) in StaticEdge.gates. */
export const SHARED_GATE = "~r";

/** Per edge, what heldBy() says (the combination search asks for it again and again). */
const heldCache = new WeakMap<StaticEdge, ReadonlyMap<string, boolean>>();

/** Lock key → held shared, of what an edge holds while it waits (`from` and its gates). */
function heldBy(e: StaticEdge): ReadonlyMap<string, boolean> {
  const known = heldCache.get(e);
  if (known !== undefined) return known;
  const held = new Map<string, boolean>([[e.from.key, e.fromShared === true]]);
  for (const gate of e.gates) {
    const shared = gate.endsWith(SHARED_GATE);
    held.set(shared ? gate.slice(0, -SHARED_GATE.length) : gate, shared);
  }
  heldCache.set(e, held);
  return held;
}

/**
 * Two edges that hold a common lock (not both shared) cannot both be waiting at once; nor can
 * a cycle pass through a hop where one waits shared for a lock the other holds shared (read
 * locks do not exclude each other).
 */
function exclusive(a: StaticEdge, b: StaticEdge): boolean {
  // Most edges hold one lock, exclusively, with no gate: then only holding the same one does.
  if (plain(a) && plain(b)) return a.from.key === b.from.key;
  const heldByA = heldBy(a);
  const heldByB = heldBy(b);
  // Most edges hold one lock and no gate: one lookup then.
  if (heldByB.size === 1) {
    const shared = heldByA.get(b.from.key);
    if (shared !== undefined && !(shared && b.fromShared === true)) return true;
    return sharedHop(a, b);
  }
  for (const [key, sharedByB] of heldByB) {
    const sharedByA = heldByA.get(key);
    if (sharedByA !== undefined && !(sharedByA && sharedByB)) return true;
  }
  return sharedHop(a, b);
}

/** One waits shared for a lock the other holds shared. */
function sharedHop(a: StaticEdge, b: StaticEdge): boolean {
  return (
    (a.to.key === b.from.key && a.toShared === true && b.fromShared === true) ||
    (b.to.key === a.from.key && b.toShared === true && a.fromShared === true)
  );
}

/** An edge that holds only its `from` lock, exclusively, and takes its `to` exclusively. */
function plain(e: StaticEdge): boolean {
  return e.gates.length === 0 && e.fromShared !== true && e.toShared !== true;
}

/** Per hop, the edges of some combination (one edge per hop) with no two exclusive. */
function feasibleHops(hops: readonly (readonly StaticEdge[])[]): StaticEdge[][] | undefined {
  // Plain edges of a cycle hold distinct locks (one per hop): every combination can deadlock.
  if (hops.every((edges) => edges.length > 0 && edges.every(plain))) return hops.map((e) => [...e]);
  const used = hops.map(() => new Set<StaticEdge>());
  const chosen: StaticEdge[] = [];
  let steps = 0;
  // The search asks about the same pairs again and again: answers kept per pair of edges.
  const index = new Map<StaticEdge, number>();
  for (const edges of hops) for (const e of edges) if (!index.has(e)) index.set(e, index.size);
  const n = index.size;
  const known = n <= MAX_MEMO_EDGES ? new Int8Array(n * n) : undefined;
  const excludes = (a: StaticEdge, b: StaticEdge): boolean => {
    if (known === undefined) return exclusive(a, b);
    const at = (index.get(a) ?? 0) * n + (index.get(b) ?? 0);
    let answer = known[at] ?? 0;
    if (answer === 0) {
      answer = exclusive(a, b) ? 2 : 1;
      known[at] = answer;
    }
    return answer === 2;
  };
  const search = (hop: number): void => {
    if (hop === hops.length) {
      chosen.forEach((e, i) => used[i]?.add(e));
      return;
    }
    for (const edge of hops[hop] ?? []) {
      if (++steps > MAX_COMBINATION_STEPS) return;
      if (chosen.some((c) => excludes(c, edge))) continue;
      chosen.push(edge);
      search(hop + 1);
      chosen.pop();
    }
  };
  search(0);
  if (used.some((set) => set.size === 0)) return undefined;
  return hops.map((edges, i) => edges.filter((e) => used[i]?.has(e) === true));
}

/** Lock-order cycles of at most `maxLength` locks that can deadlock. */
export function findLockCycles(edges: Iterable<StaticEdge>, maxLength = 8): LockCycle[] {
  const graph = new EdgeGraph(edges);
  const cycles: LockCycle[] = [];
  for (const ids of findDeadlockCycles(graph, maxLength)) {
    const raw = ids.map((from, i) => graph.edges(from, ids[(i + 1) % ids.length] ?? from));
    const hops = feasibleHops(raw);
    if (hops === undefined) continue;
    cycles.push({ locks: ids.map((id) => graph.refs[id] as LockRef), hops });
  }
  return cycles;
}

/** The declared order chain `taking to while holding from` goes against (names or aliases). */
export function violatedOrder(
  rules: DeclaredOrders,
  from: LockRef,
  to: LockRef,
): readonly DeclaredOrder[] | undefined {
  return rules.violated(from.name, to.name) ?? rules.violated(from.alias, to.alias);
}

/** Edges against a declared order, per pair of locks, except pairs in the reported cycles. */
export function findOrderViolations(
  edges: Iterable<StaticEdge>,
  rules: DeclaredOrders,
  cycles: readonly LockCycle[],
): OrderViolation[] {
  if (rules.size === 0) return [];
  const byPair = new Map<string, { held: LockRef; taken: LockRef; edges: StaticEdge[] }>();
  for (const edge of edges) {
    const key = `${edge.from.key}>${edge.to.key}`;
    const entry = byPair.get(key) ?? { held: edge.from, taken: edge.to, edges: [] };
    entry.edges.push(edge);
    byPair.set(key, entry);
  }
  const inCycle = (a: LockRef, b: LockRef): boolean =>
    cycles.some(
      (c) => c.locks.some((l) => l.key === a.key) && c.locks.some((l) => l.key === b.key),
    );
  const violations: OrderViolation[] = [];
  for (const { held, taken, edges: list } of byPair.values()) {
    const chain = violatedOrder(rules, held, taken);
    if (chain === undefined || inCycle(held, taken)) continue;
    violations.push({ held, taken, chain, edges: list });
  }
  return violations;
}
