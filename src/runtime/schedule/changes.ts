// The priority changes of randomized plans (DESIGN 8.1): where a thread's priority changes
// after one of its points, forcing a switch. Drawn from the seed, the thread's name and its pass
// number (PCT, random walk), or, for a shrunk schedule, read from the plan's list.
import { hash32, type RandomPlan } from "../../protocol/schedule.ts";

/** Priorities of randomized plans lie above the `depth` values PCT lowers threads to. */
export const PRIO_RANGE = 1_000_000;

/** The priority a thread of this name starts with. */
export function initialPrioOf(plan: RandomPlan, name: string): number {
  return plan.depth + (hash32(plan.seed, name) % PRIO_RANGE);
}

/**
 * PCT (Burckhardt et al., ASPLOS'10) places d - 1 priority change points uniformly among the k
 * steps of a run. Here each pass of a thread is a change point with probability (d - 1) / k,
 * drawn from the seed, the thread's name and its pass number: the same d - 1 expected changes,
 * but a change does not depend on how the passes of other threads interleave (a global step
 * number does, across worker threads), so the replay of a seed makes the same decisions.
 */
function pctChange(plan: RandomPlan, name: string, passes: number): number | undefined {
  if (plan.depth < 2) return undefined;
  const draw = hash32(plan.seed, `change:${name}#${passes}`) / 2 ** 32;
  if (draw >= (plan.depth - 1) / Math.max(plan.steps, 1)) return undefined;
  // Below every initial priority (those are >= depth); later changes need not be lower.
  return 1 + (hash32(plan.seed, `low:${name}#${passes}`) % (plan.depth - 1));
}

/** A shrunk plan's changes by "thread#pass" (one plan a process; a map per plan all the same). */
const listed = new WeakMap<RandomPlan, Map<string, number>>();

/** The priority thread `name` takes after its pass number `passes`, or -1 (no change). */
export function priorityChange(plan: RandomPlan, name: string, passes: number): number {
  if (plan.changes !== undefined) {
    let byKey = listed.get(plan);
    if (byKey === undefined) {
      byKey = new Map(plan.changes.map((c) => [`${c.thread}#${c.pass}`, c.prio]));
      listed.set(plan, byKey);
    }
    return byKey.get(`${name}#${passes}`) ?? -1;
  }
  if (plan.mode === "pct") return pctChange(plan, name, passes) ?? -1;
  return plan.depth + (hash32(plan.seed, `${name}#${passes}`) % PRIO_RANGE);
}
