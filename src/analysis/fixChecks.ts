// Fixes that fix (DESIGN 5.4, issue 11): an edit is offered for a lock-order cycle only when the
// run's own lock-order graph, with the edit's effect applied, no longer has the cycle. The
// effect of an edit on one recorded ordering (a thread holds `from`, taken at one line, and
// takes `to` at another):
// - swapping the receivers of the two acquisition calls reverses every ordering taken by
//   exactly those two calls (line and column), whichever thread took it: a function that takes
//   its locks in the order its callers pass them stays inverted (both callers flip);
// - replacing the two by acquireAll([..]) makes every ordering taken at those lines follow the
//   creation order of the locks (acquireAll sorts by id).
// The static re-analysis of the edited text is done where source text and the compiler are at
// hand (static/checkedFixes.ts, by the front ends).
import type { Frame } from "../protocol/events.ts";
import type { TextEdit } from "../protocol/report.ts";
import { relativePath } from "../protocol/paths.ts";
import { acquireAllEdit, type AcquisitionPair } from "./acquireAllEdit.ts";
import type { Dictionary } from "./dictionary.ts";
import type { LockOrderGraph } from "./lockOrderGraph.ts";
import type { ReadSource } from "./sourceEdits.ts";

/** One recorded ordering of two locks, with the places of both acquisitions. */
export interface Ordering {
  readonly thread: number;
  readonly from: number;
  readonly to: number;
  readonly held: Frame | undefined;
  readonly taking: Frame | undefined;
}

interface FixContext {
  readonly dict: Dictionary;
  readonly cwd: string;
  readonly readSource: ReadSource | undefined;
  readonly lockOrder: LockOrderGraph;
}

/** Every ordering of `a` and `b` the run recorded, plus the cycle's own steps. */
export function orderingsOf(
  a: number,
  b: number,
  steps: readonly {
    thread: number;
    from: number;
    to: number;
    heldSite: number;
    acquireSite: number;
  }[],
  ctx: FixContext,
): Ordering[] {
  const all = [
    ...ctx.lockOrder.instances(a, b),
    ...ctx.lockOrder.instances(b, a),
    ...steps.filter((s) => (s.from === a && s.to === b) || (s.from === b && s.to === a)),
  ];
  return all.map((e) => ({
    thread: e.thread,
    from: e.from,
    to: e.to,
    held: ctx.dict.userFrame(e.heldSite),
    taking: ctx.dict.userFrame(e.acquireSite),
  }));
}

/** The same place in the code: file, line and column (two calls on one line are two). */
function samePlace(frame: Frame | undefined, place: Frame): boolean {
  return (
    frame !== undefined &&
    frame.file === place.file &&
    frame.line === place.line &&
    frame.column === place.column
  );
}

/**
 * The orderings after swapping the receivers of the acquisitions at `first` and `second` (the
 * frames the swap edit was made from): every ordering whose two acquisitions are those two
 * calls, in either role and by any thread, is reversed. A place is a line and a column, so a
 * task whose two acquisitions share one line (`spawn(async () => { await a.acquire(); await
 * b.acquire(); })`) is told apart from another order taken elsewhere on that line.
 */
export function afterSwap(orderings: readonly Ordering[], first: Frame, second: Frame): Ordering[] {
  const swapped = (o: Ordering): boolean =>
    (samePlace(o.held, first) && samePlace(o.taking, second)) ||
    (samePlace(o.held, second) && samePlace(o.taking, first));
  return orderings.map((o) => (swapped(o) ? { ...o, from: o.to, to: o.from } : o));
}

/** Whether two different threads still take `a` and `b` in opposite orders. */
export function cycleRemains(orderings: readonly Ordering[], a: number, b: number): boolean {
  const forward = new Set(orderings.filter((o) => o.from === a && o.to === b).map((o) => o.thread));
  const backward = orderings.filter((o) => o.from === b && o.to === a).map((o) => o.thread);
  return backward.some((t) => [...forward].some((u) => u !== t));
}

/**
 * The acquireAll edit for a two-lock cycle where the code allows it (adjacent plain
 * acquisitions), kept only if, applied to the run's orderings, no inversion is left.
 */
export function checkedAcquireAllEdit(
  a: number,
  b: number,
  orderings: readonly Ordering[],
  ctx: FixContext,
): TextEdit | undefined {
  const pairs: AcquisitionPair[] = [];
  for (const o of orderings) {
    if (o.held !== undefined && o.taking !== undefined) {
      pairs.push({ held: o.held, taking: o.taking });
    }
  }
  const file = pairs[0]?.held.file;
  if (file === undefined) return undefined;
  const made = acquireAllEdit(pairs, relativePath(file, ctx.cwd), ctx.readSource);
  if (made === undefined) return undefined;
  const [low, high] = a < b ? [a, b] : [b, a];
  const after = orderings.map((o) =>
    made.replaced.some((p) => p.held === o.held && p.taking === o.taking)
      ? { ...o, from: low, to: high }
      : o,
  );
  return cycleRemains(after, a, b) ? undefined : made.edit;
}
