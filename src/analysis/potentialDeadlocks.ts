// Potential deadlocks (DESIGN 5.2): lock-order cycles that some combination of observed edges
// could deadlock on (cycleFilters.ts), one finding per set of call-site pairs, none for a cycle
// that did deadlock in this run (that one is reported as a deadlock already).
import type { Finding, FindingSite } from "../protocol/report.ts";
import { findingSite, siteText, type Dictionary } from "./dictionary.ts";
import { feasibleAssignment } from "./cycleFilters.ts";
import { findDeadlockCycles, type EdgeInstance, type LockOrderGraph } from "./lockOrderGraph.ts";
import { lockCycleSuggestions, type SuggestionContext } from "./suggestions.ts";

export interface PotentialDeadlock {
  /** The cycle's locks, oldest first; edge i takes locks[i+1] while holding locks[i]. */
  readonly locks: readonly number[];
  /** One feasible edge instance per hop. */
  readonly edges: readonly EdgeInstance[];
}

export interface PotentialDeadlockOptions {
  /** Lock sets (sorted ids joined by ",") of actual deadlocks reported for this run. */
  readonly excludeLockSets?: ReadonlySet<string>;
  /** Longest cycle searched (at least 6). */
  readonly maxCycleLength?: number;
}

export function findPotentialDeadlocks(
  graph: LockOrderGraph,
  options: PotentialDeadlockOptions = {},
): PotentialDeadlock[] {
  const found: PotentialDeadlock[] = [];
  const seenSitePairs = new Set<string>();
  for (const locks of findDeadlockCycles(graph, Math.max(6, options.maxCycleLength ?? 8))) {
    // Semaphores recorded before their meta record arrived are not locks after all.
    if (!locks.every((id) => graph.dict.traits(id).lock)) continue;
    const lockSet = [...locks].sort((a, b) => a - b).join(",");
    if (options.excludeLockSets?.has(lockSet) === true) continue;
    const hops = locks.map((from, i) =>
      bySitePair(graph.dict, graph.instances(from, locks[(i + 1) % locks.length] ?? from)),
    );
    // One finding per combination of call-site pairs that can deadlock.
    for (const combination of combinations(hops, MAX_SITE_COMBINATIONS)) {
      const sitePairs = combination
        .map((c) => c.key)
        .sort()
        .join(",");
      if (seenSitePairs.has(sitePairs)) continue;
      const edges = feasibleAssignment(combination.map((c) => c.instances));
      if (edges === undefined) continue;
      seenSitePairs.add(sitePairs);
      found.push({ locks, edges });
    }
  }
  return found;
}

/** Site-pair combinations tried per lock cycle. */
const MAX_SITE_COMBINATIONS = 256;

interface SitePairGroup {
  readonly key: string;
  readonly instances: readonly EdgeInstance[];
}

/**
 * Where a site shows in a finding: its innermost frame. Site ids intern whole stacks, so one
 * line reached from two callers has two ids. An uncaptured site (0) stands for its lock.
 */
function siteKey(dict: Dictionary, site: number, lock: number): string {
  if (site === 0) return `L${lock}`;
  const frame = dict.userFrame(site);
  return frame === undefined ? `s${site}` : `${frame.file}:${frame.line}:${frame.column}`;
}

/** A hop's instances grouped by call-site pair. */
function bySitePair(dict: Dictionary, instances: readonly EdgeInstance[]): SitePairGroup[] {
  const groups = new Map<string, EdgeInstance[]>();
  for (const e of instances) {
    const key = `${siteKey(dict, e.heldSite, e.from)}>${siteKey(dict, e.acquireSite, e.to)}`;
    const group = groups.get(key) ?? [];
    group.push(e);
    groups.set(key, group);
  }
  const all = [...groups].map(([key, group]) => ({ key, instances: group }));
  // An instance whose sites were not captured (a sampled repeat) is the same order seen again:
  // it joins a captured group of its thread rather than making a finding of its own.
  const captured = all.filter((g) => !/(^|>)L\d+/.test(g.key));
  if (captured.length === 0) return all;
  for (const group of all) {
    if (captured.includes(group)) continue;
    for (const e of group.instances) {
      const home = captured.find((g) => g.instances.some((c) => c.thread === e.thread));
      if (home !== undefined) (home.instances as EdgeInstance[]).push(e);
    }
  }
  return captured;
}

/** The cartesian product of the hops' groups, first `limit` combinations. */
function combinations(hops: readonly SitePairGroup[][], limit: number): SitePairGroup[][] {
  let result: SitePairGroup[][] = [[]];
  for (const groups of hops) {
    const next: SitePairGroup[][] = [];
    for (const prefix of result) {
      for (const group of groups) {
        if (next.length >= limit) break;
        next.push([...prefix, group]);
      }
    }
    result = next;
  }
  return result;
}

export function potentialDeadlockFinding(
  potential: PotentialDeadlock,
  ctx: SuggestionContext,
): Finding {
  const { dict, cwd } = ctx;
  const names = potential.locks.map((id) => dict.objectName(id));
  const clauses: string[] = [];
  const sites: FindingSite[] = [];
  const threads: string[] = [];
  for (const edge of potential.edges) {
    const thread = dict.threadName(edge.thread);
    if (!threads.includes(thread)) threads.push(thread);
    const where = siteText(dict, cwd, edge.acquireSite);
    clauses.push(
      `${thread} takes ${dict.objectName(edge.to)} while holding ${dict.objectName(edge.from)}` +
        (where === "" ? "" : ` (${where})`),
    );
    const held = findingSite(dict, cwd, edge.heldSite, edge.thread, "held");
    const acquires = findingSite(dict, cwd, edge.acquireSite, edge.thread, "acquires");
    if (held !== undefined) sites.push(held);
    if (acquires !== undefined) sites.push(acquires);
  }
  const cycle = [...names, names[0] ?? ""].join(" → ");
  return {
    kind: "potential-deadlock",
    message: `potential deadlock: lock-order inversion ${cycle}: ${clauses.join("; ")}`,
    locks: names,
    threads,
    sites,
    suggestions: lockCycleSuggestions(
      potential.locks,
      potential.edges.map((e) => ({
        thread: e.thread,
        from: e.from,
        to: e.to,
        heldSite: e.heldSite,
        acquireSite: e.acquireSite,
      })),
      ctx,
    ),
  };
}
