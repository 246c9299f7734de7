// The three false-positive filters of DESIGN 5.2, and the search for one combination of edge
// instances (one per hop of a lock cycle) that none of them rules out. They are the classic
// conditions for a cycle to be able to deadlock (Goodlock and its successors): the edges must
// come from different threads, must not hold a common lock, and must be able to run at the
// same time. Each filter states why a pair of edges cannot both be "holding one lock, waiting
// for the next" at once; a cycle is dropped when every combination has such a pair.
import { concurrent } from "./happensBefore.ts";
import type { EdgeInstance } from "./lockOrderGraph.ts";

/** A thread waits for one lock at a time: two edges of one thread cannot both be blocked. */
export function sameThread(a: EdgeInstance, b: EdgeInstance): boolean {
  return a.thread === b.thread;
}

/**
 * Two edges whose threads held a common lock at those moments exclude each other: a gate lock
 * held by both, or one edge holding the lock the other waits behind.
 */
export function shareGateLock(a: EdgeInstance, b: EdgeInstance): boolean {
  const heldByA = new Set([a.from, ...a.gates]);
  return b.from === a.from || heldByA.has(b.from) || b.gates.some((g) => heldByA.has(g));
}

/** One edge happened before the other through thread start/join: they never overlap. */
export function orderedPair(a: EdgeInstance, b: EdgeInstance): boolean {
  return !concurrent(a, b);
}

function anyPair(
  edges: readonly EdgeInstance[],
  test: (a: EdgeInstance, b: EdgeInstance) => boolean,
): boolean {
  for (let i = 0; i < edges.length; i++) {
    for (let j = i + 1; j < edges.length; j++) {
      if (test(edges[i] as EdgeInstance, edges[j] as EdgeInstance)) return true;
    }
  }
  return false;
}

/** Filter: the cycle's edges come from one thread (or two of them do). */
export function fromOneThread(edges: readonly EdgeInstance[]): boolean {
  return anyPair(edges, sameThread);
}

/** Filter: the cycle is guarded by a common gate lock (held at every edge, or at two of them). */
export function guardedByGateLock(edges: readonly EdgeInstance[]): boolean {
  return anyPair(edges, shareGateLock);
}

/** Filter: the cycle's segments are ordered by thread start/join (happens-before). */
export function orderedByHappensBefore(edges: readonly EdgeInstance[]): boolean {
  return anyPair(edges, orderedPair);
}

/**
 * One edge waits for the lock the other holds, and both in shared mode (read–read): shared holds
 * do not exclude each other, so that hop of the cycle never blocks.
 */
export function sharedHop(a: EdgeInstance, b: EdgeInstance): boolean {
  return (
    (a.to === b.from && a.toShared === true && b.fromShared === true) ||
    (b.to === a.from && b.toShared === true && a.fromShared === true)
  );
}

/** Why a pair of edges cannot be part of one deadlock (the filters, pairwise). */
export function excludeEachOther(a: EdgeInstance, b: EdgeInstance): boolean {
  return sameThread(a, b) || shareGateLock(a, b) || orderedPair(a, b) || sharedHop(a, b);
}

/**
 * One instance per hop (`choices[i]` are the instances of hop i) such that no two exclude
 * each other, or undefined. Backtracking, bounded by `maxSteps` (undefined past it: an
 * unproven cycle is not reported).
 */
export function feasibleAssignment(
  choices: readonly (readonly EdgeInstance[])[],
  maxSteps = 100_000,
): EdgeInstance[] | undefined {
  const chosen: EdgeInstance[] = [];
  let steps = 0;
  const extend = (hop: number): boolean => {
    if (hop === choices.length) return true;
    for (const candidate of choices[hop] ?? []) {
      if (++steps > maxSteps) return false;
      if (chosen.some((other) => excludeEachOther(other, candidate))) continue;
      chosen.push(candidate);
      if (extend(hop + 1)) return true;
      chosen.pop();
    }
    return false;
  };
  return extend(0) ? chosen : undefined;
}
