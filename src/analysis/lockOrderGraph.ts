// The lock-order graph over a whole run (DESIGN 5.2): an edge A→B each time a thread takes B
// while holding A, with where A and B were taken, the other locks held (gate locks) and a
// happens-before stamp. A cycle is an order that two or more threads can deadlock on, even if
// they did not in this run. A request that never completed counts too (it shows the order the
// thread tried), so a run that did deadlock has the cycle's edges as well.
import type { EventOf, TraceEvent } from "../protocol/events.ts";
import type { Dictionary } from "./dictionary.ts";
import type { HappensBefore, Stamp } from "./happensBefore.ts";
import { UNINTERNED } from "./heldSets.ts";
import type { RunState, ThreadStatus } from "./runState.ts";

/** The events that take a lock, and so may make lock-order edges. */
type Acquiring = EventOf<"acquire-request" | "acquired">;

/** One observed way of taking `to` while holding `from`. */
export interface EdgeInstance {
  readonly from: number;
  readonly to: number;
  readonly thread: number;
  /** Where `from` was taken (0 when not captured). */
  readonly heldSite: number;
  /** Where `to` was taken or requested (0 when not captured). */
  readonly acquireSite: number;
  /** The other locks held at that moment, sorted. */
  readonly gates: readonly number[];
  readonly stamp: Stamp;
  /** `from` was held shared (a read lock). */
  readonly fromShared?: boolean;
  /** `to` was taken or requested shared. */
  readonly toShared?: boolean;
}

/** What cycle search needs of a directed graph. */
export interface DirectedGraph {
  nodes(): Iterable<number>;
  successors(node: number): Iterable<number>;
}

/** Distinct instances kept per lock pair; beyond that, new threads and sites still get in. */
const MAX_INSTANCES_PER_EDGE = 256;

export class LockOrderGraph implements DirectedGraph {
  readonly #edges = new Map<number, Map<number, Map<string, EdgeInstance>>>();
  /**
   * Acquisitions whose edges are in the graph already, so that repeating one adds nothing:
   * held set (RunState.heldSets, which implies the thread) -> lock taken -> acquire site ->
   * the thread's stamp id then. Valid while no object record arrives (they decide which held
   * objects count as locks).
   */
  #recorded: (Map<number, Map<number, number>> | undefined)[] = [];
  #recordedAtObjectRecords = 0;

  constructor(readonly dict: Dictionary) {}

  /** Records the edges `event` makes; call before the state applies it. */
  observe(event: TraceEvent, state: RunState, clocks: HappensBefore): void {
    if (event.kind === "acquire-request") {
      this.#acquiring(event, event.site, state, clocks);
    } else if (event.kind === "acquired") {
      // A contended take was recorded at its request already.
      if (state.pendingRequest(event.thread, event.object) !== undefined) return;
      this.#acquiring(event, state.acquisitionSite(event), state, clocks);
    }
  }

  #acquiring(event: Acquiring, acquireSite: number, state: RunState, clocks: HappensBefore): void {
    const to = event.object;
    if (!this.dict.traits(to).lock) return;
    const thread = state.threads.get(event.thread);
    if (thread === undefined || thread.held.size === 0 || thread.held.has(to)) return; // re-entry cannot block
    if (this.#alreadyRecorded(thread.heldSet, to, acquireSite, clocks.currentId(event.thread))) {
      return;
    }
    this.#addEdges(event, acquireSite, thread, clocks);
    this.#markRecorded(thread.heldSet, to, acquireSite, clocks.currentId(event.thread));
  }

  #addEdges(
    event: Acquiring,
    acquireSite: number,
    thread: ThreadStatus,
    clocks: HappensBefore,
  ): void {
    const to = event.object;
    const held = [...thread.held.values()].filter((h) => this.dict.traits(h.object).lock);
    if (held.length === 0) return;
    const stamp = clocks.stampOf(event.thread);
    const heldIds = held.map((h) => h.object).sort((a, b) => a - b);
    for (const hold of held) {
      this.add({
        from: hold.object,
        to,
        thread: event.thread,
        heldSite: hold.site,
        acquireSite,
        gates: heldIds.filter((id) => id !== hold.object),
        stamp,
        ...(hold.shared === true ? { fromShared: true } : {}),
        ...(event.shared === true ? { toShared: true } : {}),
      });
    }
  }

  #alreadyRecorded(heldSet: number, to: number, acquireSite: number, stampId: number): boolean {
    if (this.#recordedAtObjectRecords !== this.dict.objectRecords) {
      this.#recorded = [];
      this.#recordedAtObjectRecords = this.dict.objectRecords;
      return false;
    }
    if (heldSet === UNINTERNED || stampId === 0) return false;
    return this.#recorded[heldSet]?.get(to)?.get(acquireSite) === stampId;
  }

  #markRecorded(heldSet: number, to: number, acquireSite: number, stampId: number): void {
    if (heldSet === UNINTERNED || stampId === 0) return;
    let byLock = this.#recorded[heldSet];
    if (byLock === undefined) {
      byLock = new Map();
      this.#recorded[heldSet] = byLock;
    }
    let bySite = byLock.get(to);
    if (bySite === undefined) {
      bySite = new Map();
      byLock.set(to, bySite);
    }
    bySite.set(acquireSite, stampId);
  }

  add(edge: EdgeInstance): void {
    let byTarget = this.#edges.get(edge.from);
    if (byTarget === undefined) {
      byTarget = new Map();
      this.#edges.set(edge.from, byTarget);
    }
    let instances = byTarget.get(edge.to);
    if (instances === undefined) {
      instances = new Map();
      byTarget.set(edge.to, instances);
    }
    const key = `${edge.thread}|${edge.heldSite}|${edge.acquireSite}|${edge.gates.join(",")}|${edge.stamp.id}`;
    if (instances.has(key)) return;
    if (instances.size >= MAX_INSTANCES_PER_EDGE && !isNewThreadOrSites(instances, edge)) return;
    instances.set(key, edge);
  }

  nodes(): Iterable<number> {
    return this.#edges.keys();
  }

  successors(node: number): Iterable<number> {
    return this.#edges.get(node)?.keys() ?? [];
  }

  instances(from: number, to: number): readonly EdgeInstance[] {
    return [...(this.#edges.get(from)?.get(to)?.values() ?? [])];
  }

  /** How strongly the run follows from→to: distinct threads, then distinct site pairs. */
  support(from: number, to: number): { readonly threads: number; readonly sitePairs: number } {
    const instances = this.instances(from, to);
    return {
      threads: new Set(instances.map((e) => e.thread)).size,
      sitePairs: new Set(instances.map((e) => `${e.heldSite}>${e.acquireSite}`)).size,
    };
  }
}

function isNewThreadOrSites(instances: Map<string, EdgeInstance>, edge: EdgeInstance): boolean {
  for (const other of instances.values()) {
    if (other.thread === edge.thread) return false;
    if (other.heldSite === edge.heldSite && other.acquireSite === edge.acquireSite) return false;
  }
  return true;
}

/**
 * Elementary cycles of `graph` with 1 < length ≤ maxLength, each listed once, starting at its
 * smallest node (lock ids follow creation order, so the oldest lock comes first). Depth-first
 * search from each node over larger nodes only, extended only to nodes that can still get back
 * to the start within the length bound (so acyclic parts cost nothing); stops after `maxCycles`
 * cycles or `maxSteps` extensions.
 */
export function findDeadlockCycles(
  graph: DirectedGraph,
  maxLength = 8,
  maxCycles = 1000,
  maxSteps = 200_000,
): number[][] {
  const cycles: number[][] = [];
  const predecessors = new Map<number, number[]>();
  for (const node of graph.nodes()) {
    for (const next of graph.successors(node)) {
      const list = predecessors.get(next) ?? [];
      list.push(node);
      predecessors.set(next, list);
    }
  }
  let steps = 0;
  const starts = [...graph.nodes()].sort((a, b) => a - b);
  for (const start of starts) {
    const back = distancesTo(start, predecessors, maxLength);
    if (back.size <= 1) continue;
    const path = [start];
    const onPath = new Set(path);
    const visit = (node: number): boolean => {
      for (const next of graph.successors(node)) {
        if (next === start) {
          if (path.length > 1) cycles.push([...path]);
          if (cycles.length >= maxCycles) return false;
          continue;
        }
        const distance = back.get(next);
        if (next < start || onPath.has(next) || distance === undefined) continue;
        if (path.length + distance > maxLength) continue;
        if (++steps > maxSteps) return false;
        path.push(next);
        onPath.add(next);
        const goOn = visit(next);
        path.pop();
        onPath.delete(next);
        if (!goOn) return false;
      }
      return true;
    };
    if (!visit(start)) break;
  }
  return cycles;
}

/** Shortest path lengths to `target` from nodes ≥ target (reverse breadth-first search). */
function distancesTo(
  target: number,
  predecessors: ReadonlyMap<number, readonly number[]>,
  maxLength: number,
): Map<number, number> {
  const distance = new Map<number, number>([[target, 0]]);
  let frontier = [target];
  for (let d = 1; d < maxLength && frontier.length > 0; d++) {
    const next: number[] = [];
    for (const node of frontier) {
      for (const previous of predecessors.get(node) ?? []) {
        if (previous < target || distance.has(previous)) continue;
        distance.set(previous, d);
        next.push(previous);
      }
    }
    frontier = next;
  }
  return distance;
}
