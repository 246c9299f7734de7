// Fix suggestions (DESIGN 5.4). Each one says why it fixes the finding; an edit comes with it
// only where sourceEdits.ts can make one safely.
import type { Suggestion, TextEdit } from "../protocol/report.ts";
import { siteText, type Dictionary } from "./dictionary.ts";
import type { LockOrderGraph } from "./lockOrderGraph.ts";
import { relativePath } from "./paths.ts";
import { swapReceiversEdit, useRLockEdit, type ReadSource } from "./sourceEdits.ts";

export interface SuggestionContext {
  readonly dict: Dictionary;
  readonly cwd: string;
  readonly readSource: ReadSource | undefined;
  readonly lockOrder: LockOrderGraph;
}

/** One thread's part of a lock cycle: it holds `from` (taken at heldSite) and takes `to`. */
export interface CycleStep {
  readonly thread: number;
  readonly from: number;
  readonly to: number;
  readonly heldSite: number;
  readonly acquireSite: number;
}

/** `doB (src/app.ts:22)`, or the file and line alone, or "" when the site is unknown. */
function whereText(ctx: SuggestionContext, site: number): string {
  const frame = ctx.dict.userFrame(site);
  if (frame === undefined) return "";
  const at = siteText(ctx.dict, ctx.cwd, site);
  // V8 calls module code and unnamed functions "<anonymous>": the line says more.
  return frame.function === "" || frame.function.startsWith("<") ? at : `${frame.function} (${at})`;
}

function inWhere(ctx: SuggestionContext, site: number): string {
  const where = whereText(ctx, site);
  return where === "" ? "" : ` in ${where}`;
}

/**
 * The order to keep for two locks: the one more threads follow, then more call-site pairs,
 * then creation order (ids are given out in creation order).
 */
export function preferredOrder(lockOrder: LockOrderGraph, a: number, b: number): [number, number] {
  const forward = lockOrder.support(a, b);
  const backward = lockOrder.support(b, a);
  if (forward.threads !== backward.threads)
    return forward.threads > backward.threads ? [a, b] : [b, a];
  if (forward.sitePairs !== backward.sitePairs) {
    return forward.sitePairs > backward.sitePairs ? [a, b] : [b, a];
  }
  return a < b ? [a, b] : [b, a];
}

/** Suggestions for a deadlock or potential deadlock over a cycle of locks. */
export function lockCycleSuggestions(
  locks: readonly number[],
  steps: readonly CycleStep[],
  ctx: SuggestionContext,
): Suggestion[] {
  const names = locks.map((id) => ctx.dict.objectName(id));
  if (locks.length === 2) return twoLockSuggestions(locks[0] ?? 0, locks[1] ?? 0, steps, ctx);
  const ordered = [...locks].sort((a, b) => a - b).map((id) => ctx.dict.objectName(id));
  return [
    {
      kind: "global-order",
      message:
        `take ${ordered.join(", ")} in this one global order (their creation order) everywhere: ` +
        `a cycle needs some thread to take them against the order`,
    },
    {
      kind: "acquire-all",
      message:
        `take the locks a thread needs together with \`acquireAll([${names.join(", ")}])\` ` +
        `(one global order, all or nothing), so that no thread holds one while waiting for another`,
    },
    timeoutSuggestion(steps[0]?.acquireSite ?? 0, ctx),
  ];
}

function twoLockSuggestions(
  a: number,
  b: number,
  steps: readonly CycleStep[],
  ctx: SuggestionContext,
): Suggestion[] {
  const [first, second] = preferredOrder(ctx.lockOrder, a, b);
  const firstName = ctx.dict.objectName(first);
  const secondName = ctx.dict.objectName(second);
  const breaking = steps.find((s) => s.from === second && s.to === first);
  const follow = ctx.lockOrder.support(first, second).threads;
  const where = breaking === undefined ? "" : inWhere(ctx, breaking.acquireSite);
  const globalOrder: Suggestion = {
    kind: "global-order",
    message:
      `take ${firstName} before ${secondName} everywhere (the order ${follow} thread` +
      `${follow === 1 ? "" : "s"} follow${follow === 1 ? "s" : ""}): ` +
      `swap the two acquisitions${where}, which takes ${secondName} then ${firstName}; ` +
      `with one order no two threads can each hold one lock and wait for the other`,
  };
  const edit = breaking === undefined ? undefined : swapEdit(breaking, ctx);
  return [
    edit === undefined ? globalOrder : { ...globalOrder, edit },
    {
      kind: "acquire-all",
      message:
        `take both with \`acquireAll([${firstName}, ${secondName}])\`${where} ` +
        `(one global order, all or nothing), so that no thread holds one while waiting for the other`,
    },
    {
      kind: "use-rlock",
      message:
        `if ${firstName} and ${secondName} need not be held separately, guard their data with ` +
        `one RLock instead: a single lock cannot be taken in two orders`,
    },
    timeoutSuggestion(breaking?.acquireSite ?? steps[0]?.acquireSite ?? 0, ctx),
  ];
}

/** Swaps the two acquisitions of the step that breaks the chosen order, where that is safe. */
function swapEdit(step: CycleStep, ctx: SuggestionContext): TextEdit | undefined {
  const held = ctx.dict.userFrame(step.heldSite);
  const taking = ctx.dict.userFrame(step.acquireSite);
  if (held === undefined || taking === undefined) return undefined;
  return swapReceiversEdit(held, taking, relativePath(held.file, ctx.cwd), ctx.readSource);
}

function timeoutSuggestion(site: number, ctx: SuggestionContext): Suggestion {
  return {
    kind: "add-timeout",
    message:
      `pass a timeout to the acquisition${inWhere(ctx, site)} (\`acquire({ timeout })\`) and ` +
      `back off when it returns false: a thread caught in the cycle then gives up instead of ` +
      `blocking forever`,
  };
}

/** Suggestions for a thread that requests a non-reentrant Lock it holds. */
export function selfDeadlockSuggestions(
  lock: number,
  waitSite: number,
  ctx: SuggestionContext,
): Suggestion[] {
  const info = ctx.dict.object(lock);
  const name = ctx.dict.objectName(lock);
  const suggestions: Suggestion[] = [];
  if (info?.kind === "Lock") {
    const creation = ctx.dict.userFrame(info.site);
    const edit =
      creation === undefined
        ? undefined
        : useRLockEdit(creation, relativePath(creation.file, ctx.cwd), ctx.readSource);
    const rlock: Suggestion = {
      kind: "use-rlock",
      message:
        `create ${name} as an RLock${inWhere(ctx, info.site)}: an RLock may be taken again by ` +
        `the thread that holds it, so the nested acquisition no longer waits for itself`,
    };
    suggestions.push(edit === undefined ? rlock : { ...rlock, edit });
  }
  suggestions.push({
    kind: "add-timeout",
    message:
      `pass a timeout to the acquisition${inWhere(ctx, waitSite)} (\`acquire({ timeout })\`): ` +
      `the thread then fails instead of waiting forever for a lock it holds itself`,
  });
  return suggestions;
}

/** Suggestions for a deadlock that goes through a join. */
export function joinDeadlockSuggestions(
  joiner: number,
  joined: number,
  joinSite: number,
  ctx: SuggestionContext,
): Suggestion[] {
  return [
    {
      kind: "add-timeout",
      message:
        `release the locks ${ctx.dict.threadName(joiner)} holds before joining ` +
        `${ctx.dict.threadName(joined)}, or join with a timeout${inWhere(ctx, joinSite)} ` +
        `(\`join({ timeout })\`): the joined thread needs one of them to finish`,
    },
  ];
}

/** Suggestion for a hang: waits that can end by themselves. */
export function hangSuggestions(site: number, ctx: SuggestionContext): Suggestion[] {
  return [
    {
      kind: "add-timeout",
      message:
        `give the blocking waits a timeout${inWhere(ctx, site)} (\`{ timeout }\`) and check the ` +
        `result: a thread then notices that nothing is left to wake it instead of hanging`,
    },
  ];
}
