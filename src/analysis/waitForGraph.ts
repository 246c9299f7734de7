// Actual deadlocks (DESIGN 5.1): the wait-for graph of the current state. A thread blocked
// without timeout in an acquisition waits for every current holder (an RLock's holder, each
// semaphore unit's holder); a thread in an untimed join waits for the joined thread while it
// lives. A thread is deadlocked when everything it waits for is deadlocked too (greatest fixed
// point: one running holder could release), or, for a wait that needs every holder gone (a
// writer behind the readers of a sharable lock), when anything it waits for is; the cycles
// among them are the findings, the other deadlocked threads are only blocked behind a cycle.
import type { Blocking, RunState, ThreadStatus } from "./runState.ts";

export interface DeadlockCycle {
  readonly kind: "deadlock" | "self-deadlock";
  /** One elementary cycle: each thread waits for the next, the last for the first. */
  readonly cycle: readonly number[];
  /** Every thread of the cycle's strongly connected component, the cycle's threads first. */
  readonly members: readonly number[];
  /** Identifies the same deadlock across checks. */
  readonly key: string;
  /** Sorted ids of the objects the members wait for (locks of a matching lock-order cycle). */
  readonly lockSet: string;
}

export interface DeadlockAnalysis {
  readonly cycles: readonly DeadlockCycle[];
  /** Every deadlocked thread: in a cycle, or blocked behind one. */
  readonly stuck: ReadonlySet<number>;
}

/**
 * The threads `thread` waits for, or undefined when its blocking (if any) can end without any
 * particular thread: a timeout, a free lock, a joined thread that ended, a condition/event/
 * queue wait (anyone may wake those; the hang analysis judges them), a semaphore used as a
 * signal (anyone may release it), a thread being terminated (its wait ends with it, and so
 * does a join of it).
 */
export function waitTargets(state: RunState, thread: ThreadStatus): number[] | undefined {
  const blocking = thread.blocking;
  if (blocking === undefined || blocking.timed || thread.terminating) return undefined;
  if (blocking.kind === "join") {
    const joined = state.threads.get(blocking.target);
    return state.isLive(blocking.target) && joined?.terminating !== true
      ? [blocking.target]
      : undefined;
  }
  if (blocking.kind !== "acquire") return undefined;
  const object = state.objects.get(blocking.object);
  const traits = state.dict.traits(blocking.object);
  if (object === undefined || (traits.units && object.signalStyle)) return undefined;
  const holders = new Set<number>();
  for (const hold of object.holds) {
    if (traits.reentrant && hold.thread === thread.ident) continue;
    // Shared holds exclude only exclusive acquisitions.
    if (blocking.shared && hold.shared === true) continue;
    holders.add(hold.thread);
  }
  if (traits.sharable && blocking.shared && holders.size === 0) {
    // Writer-preferring: a shared request waits behind the exclusive requests already waiting.
    for (const other of exclusiveRequesters(state, blocking.object)) holders.add(other);
  }
  return holders.size === 0 ? undefined : [...holders];
}

/** Live threads whose innermost blocking is an exclusive acquisition of `object`. */
function exclusiveRequesters(state: RunState, object: number): number[] {
  const found: number[] = [];
  for (const thread of state.liveThreads()) {
    const blocking = thread.blocking;
    if (blocking?.kind === "acquire" && blocking.object === object && !blocking.shared) {
      found.push(thread.ident);
    }
  }
  return found;
}

export function findActualDeadlocks(state: RunState): DeadlockAnalysis {
  const targets = new Map<number, number[]>();
  // Threads that need every target to move (a writer behind several readers of a sharable
  // lock); the others need any one (one semaphore holder's release is enough).
  const needsAll = new Set<number>();
  for (const thread of state.liveThreads()) {
    const waitsFor = waitTargets(state, thread);
    if (waitsFor === undefined) continue;
    targets.set(thread.ident, waitsFor);
    const blocking = thread.blocking;
    if (blocking?.kind === "acquire" && state.dict.traits(blocking.object).sharable) {
      needsAll.add(thread.ident);
    }
  }
  // Greatest fixed point: drop threads that wait for someone who may still move.
  const stuck = new Set(targets.keys());
  const mayMove = (t: number) => !stuck.has(t);
  for (let changed = true; changed;) {
    changed = false;
    for (const ident of stuck) {
      const waitsFor = targets.get(ident) ?? [];
      if (needsAll.has(ident) ? waitsFor.every(mayMove) : waitsFor.some(mayMove)) {
        stuck.delete(ident);
        changed = true;
      }
    }
  }
  const cycles: DeadlockCycle[] = [];
  for (const component of stronglyConnected(stuck, targets)) {
    const only = component[0] ?? 0;
    const selfLoop = component.length === 1 && (targets.get(only) ?? []).includes(only);
    if (component.length > 1 || selfLoop) cycles.push(describeComponent(state, component, targets));
  }
  return { cycles, stuck };
}

function describeComponent(
  state: RunState,
  component: readonly number[],
  targets: ReadonlyMap<number, readonly number[]>,
): DeadlockCycle {
  const members = new Set(component);
  const waited = new Set<number>();
  for (const ident of component) {
    const blocking = state.threads.get(ident)?.blocking;
    if (blocking?.kind === "acquire") waited.add(blocking.object);
  }
  const start = canonicalStart(state, component, waited);
  const cycle = shortestCycleThrough(start, members, targets);
  const ordered = [...cycle, ...component.filter((t) => !cycle.includes(t)).sort((a, b) => a - b)];
  const lockSet = [...waited].sort((a, b) => a - b).join(",");
  const kind = component.length === 1 ? "self-deadlock" : "deadlock";
  return {
    kind,
    cycle,
    members: ordered,
    key: `${kind}:${[...component].sort((a, b) => a - b).join(",")}:${lockSet}`,
    lockSet,
  };
}

/** The thread holding the oldest lock any member waits for (else the smallest ident). */
function canonicalStart(
  state: RunState,
  component: readonly number[],
  waited: Set<number>,
): number {
  let best: { thread: number; lock: number } | undefined;
  for (const ident of component) {
    for (const lock of state.threads.get(ident)?.held.keys() ?? []) {
      if (!waited.has(lock)) continue;
      if (best === undefined || lock < best.lock || (lock === best.lock && ident < best.thread)) {
        best = { thread: ident, lock };
      }
    }
  }
  return best?.thread ?? Math.min(...component);
}

/** Breadth-first: the shortest path start → … → start within `members`. */
function shortestCycleThrough(
  start: number,
  members: ReadonlySet<number>,
  targets: ReadonlyMap<number, readonly number[]>,
): number[] {
  const previous = new Map<number, number>();
  let frontier = [start];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const node of frontier) {
      for (const target of targets.get(node) ?? []) {
        if (target === start) {
          const path = [node];
          while (path[0] !== start) path.unshift(previous.get(path[0] ?? start) ?? start);
          return path;
        }
        if (!members.has(target) || previous.has(target)) continue;
        previous.set(target, node);
        next.push(target);
      }
    }
    frontier = next;
  }
  return [start];
}

/** Tarjan's strongly connected components of the subgraph induced by `nodes`. */
function stronglyConnected(
  nodes: ReadonlySet<number>,
  targets: ReadonlyMap<number, readonly number[]>,
): number[][] {
  const index = new Map<number, number>();
  const low = new Map<number, number>();
  const stack: number[] = [];
  const onStack = new Set<number>();
  const components: number[][] = [];
  let counter = 0;
  const connect = (node: number): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const target of targets.get(node) ?? []) {
      if (!nodes.has(target)) continue;
      if (!index.has(target)) {
        connect(target);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(target) ?? 0));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(target) ?? 0));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: number[] = [];
      for (;;) {
        const member = stack.pop() as number;
        onStack.delete(member);
        component.push(member);
        if (member === node) break;
      }
      components.push(component);
    }
  };
  for (const node of [...nodes].sort((a, b) => a - b)) if (!index.has(node)) connect(node);
  return components;
}

/** What a blocked thread waits on, for messages: a lock's name or `join(thread)`. */
export function waitResource(state: RunState, blocking: Blocking | undefined): string {
  if (blocking === undefined) return "?";
  if (blocking.kind === "join") return `join(${state.dict.threadName(blocking.target)})`;
  return state.dict.objectName(blocking.object);
}
