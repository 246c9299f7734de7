// Fix suggestions (DESIGN 5.4). Each one says why it fixes the finding; an edit comes with it
// only where sourceEdits.ts can make one safely.
import { traitsOf } from "../protocol/kinds.ts";
import type { Suggestion, TextEdit } from "../protocol/report.ts";
import { siteText, type Dictionary } from "./dictionary.ts";
import type { LockOrderGraph } from "./lockOrderGraph.ts";
import { relativePath } from "../protocol/paths.ts";
import { swapReceiversEdit, useRLockEdit, type ReadSource } from "./sourceEdits.ts";
import { afterSwap, checkedAcquireAllEdit, cycleRemains, orderingsOf } from "./fixChecks.ts";
import {
  cycleTimeoutSuggestion,
  fixesForLocks,
  selfDeadlockSuggestionSet,
  timeoutMessage,
  twoLockSuggestionSet,
} from "./suggestionTexts.ts";

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
  const kinds = locks.map((id) => ctx.dict.objectKind(id));
  return fixesForLocks(cycleSuggestions(locks, steps, ctx), kinds);
}

function cycleSuggestions(
  locks: readonly number[],
  steps: readonly CycleStep[],
  ctx: SuggestionContext,
): Suggestion[] {
  const names = locks.map((id) => ctx.dict.objectName(id));
  if (locks.length === 2) {
    const suggestions = twoLockSuggestions(locks[0] ?? 0, locks[1] ?? 0, steps, ctx);
    return shareOwner(steps, ctx) ? withoutRLock(suggestions) : suggestions;
  }
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
    cycleTimeoutSuggestion(inWhere(ctx, steps[0]?.acquireSite ?? 0)),
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
  const reason = `the order ${follow} thread${follow === 1 ? "" : "s"} follow${follow === 1 ? "s" : ""}`;
  const along = steps.find((s) => s.from === first && s.to === second);
  const timeoutSite = breaking?.acquireSite ?? steps[0]?.acquireSite ?? 0;
  const orderings = orderingsOf(a, b, steps, ctx);
  const allEdit = checkedAcquireAllEdit(a, b, orderings, ctx);
  if (breaking !== undefined && along !== undefined && sameCode(breaking, along, ctx)) {
    return withAcquireAllEdit(
      oneCodePathSuggestions(firstName, secondName, breaking, ctx),
      allEdit,
    );
  }
  let edit = breaking === undefined ? undefined : swapEdit(breaking, ctx);
  // Checked on the run's own orderings: a swap that leaves two threads inverted is withheld.
  const held = breaking === undefined ? undefined : ctx.dict.userFrame(breaking.heldSite);
  const taking = breaking === undefined ? undefined : ctx.dict.userFrame(breaking.acquireSite);
  const withheld =
    edit !== undefined &&
    held !== undefined &&
    taking !== undefined &&
    cycleRemains(afterSwap(orderings, held, taking), a, b);
  if (withheld) edit = undefined;
  const suggestions = twoLockSuggestionSet(
    firstName,
    secondName,
    reason,
    where,
    edit,
    inWhere(ctx, timeoutSite),
  );
  return withAcquireAllEdit(
    withheld
      ? suggestions.map((s) =>
          s.kind === "global-order"
            ? {
                ...s,
                message:
                  `${s.message}; swapping them there alone would leave another thread taking ` +
                  `them the other way (the same calls run in both orders), so no edit is offered`,
              }
            : s,
        )
      : suggestions,
    allEdit,
  );
}

/** The acquire-all suggestion with its checked edit, where there is one. */
function withAcquireAllEdit(suggestions: Suggestion[], edit: TextEdit | undefined): Suggestion[] {
  if (edit === undefined) return suggestions;
  return suggestions.map((s) => (s.kind === "acquire-all" ? { ...s, edit } : s));
}

/** The same call: file, line and column (two calls on one line are two). */
function sameCall(ctx: SuggestionContext, a: number, b: number): boolean {
  const x = ctx.dict.userFrame(a);
  const y = ctx.dict.userFrame(b);
  return (
    x !== undefined &&
    y !== undefined &&
    x.file === y.file &&
    x.line === y.line &&
    x.column === y.column
  );
}

/**
 * Both orders are taken by the same two lines: one function takes the locks in the order its
 * callers pass them (`transfer(first, second)` called as (alpha, beta) and (beta, alpha)).
 * Swapping the two acquisitions there leaves both callers inverted, so that edit is withheld.
 */
function sameCode(breaking: CycleStep, along: CycleStep, ctx: SuggestionContext): boolean {
  return (
    sameCall(ctx, breaking.heldSite, along.heldSite) &&
    sameCall(ctx, breaking.acquireSite, along.acquireSite)
  );
}

function oneCodePathSuggestions(
  first: string,
  second: string,
  step: CycleStep,
  ctx: SuggestionContext,
): Suggestion[] {
  const held = whereText(ctx, step.heldSite);
  const taking = siteText(ctx.dict, ctx.cwd, step.acquireSite);
  const code = held === "" ? "the same code" : `the same code (${held}, then ${taking})`;
  const [, ...rest] = twoLockSuggestionSet(
    first,
    second,
    "",
    "",
    undefined,
    inWhere(ctx, step.acquireSite),
  );
  return [
    {
      kind: "global-order",
      message:
        `take ${first} before ${second} everywhere: both orders come from ${code}, which ` +
        `takes the locks in the order its callers pass them, so swapping the two acquisitions ` +
        `there would leave the callers inverted; pass them in one order at the call sites, or ` +
        `order them there by a stable key (their creation order or name)`,
    },
    ...rest.map((s) =>
      s.kind === "acquire-all"
        ? {
            ...s,
            message:
              `take both with \`acquireAll([${first}, ${second}])\`${inWhere(ctx, step.heldSite)} ` +
              `instead of one after the other (it orders them itself, all or nothing), so that ` +
              `no caller's order matters`,
          }
        : s,
    ),
  ];
}

/** Swaps the two acquisitions of the step that breaks the chosen order, where that is safe. */
function swapEdit(step: CycleStep, ctx: SuggestionContext): TextEdit | undefined {
  const held = ctx.dict.userFrame(step.heldSite);
  const taking = ctx.dict.userFrame(step.acquireSite);
  if (held === undefined || taking === undefined) return undefined;
  return swapReceiversEdit(held, taking, relativePath(held.file, ctx.cwd), ctx.readSource);
}

/**
 * Whether two threads of the cycle are one owner at run time (Promise.all branches of one
 * thread, or a branch and that thread): one RLock would let both in at once, so no suggestion
 * may offer it (it would remove their mutual exclusion).
 */
function shareOwner(steps: readonly CycleStep[], ctx: SuggestionContext): boolean {
  const owners = steps.map((s) => ctx.dict.runtimeOwner(s.thread));
  return new Set(owners).size < owners.length;
}

function withoutRLock(suggestions: readonly Suggestion[]): Suggestion[] {
  return suggestions.filter((s) => s.kind !== "use-rlock");
}

/**
 * Suggestions for a thread that requests a non-reentrant Lock it holds. `thread`: the logical
 * thread; a Promise.all branch gets no RLock (its re-entry would be its starting thread's, so
 * the other branches would get in too).
 */
export function selfDeadlockSuggestions(
  lock: number,
  waitSite: number,
  ctx: SuggestionContext,
  thread?: number,
): Suggestion[] {
  if (thread !== undefined && ctx.dict.runtimeOwner(thread) !== thread) {
    return selfDeadlockSuggestionSet(undefined, "", undefined, inWhere(ctx, waitSite));
  }
  const info = ctx.dict.object(lock);
  // The fix "use the reentrant variant" exists for a kind that has one (Lock: RLock).
  const isLock = info !== undefined && traitsOf(info.kind).reentrantAlternative !== undefined;
  const creation = isLock ? ctx.dict.userFrame(info.site) : undefined;
  const edit =
    creation === undefined
      ? undefined
      : useRLockEdit(creation, relativePath(creation.file, ctx.cwd), ctx.readSource);
  return selfDeadlockSuggestionSet(
    isLock ? ctx.dict.objectName(lock) : undefined,
    isLock ? inWhere(ctx, info.site) : "",
    edit,
    inWhere(ctx, waitSite),
  );
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
      message: timeoutMessage(
        `release the locks ${ctx.dict.threadName(joiner)} holds before joining ` +
          `${ctx.dict.threadName(joined)}, or join with a timeout${inWhere(ctx, joinSite)} ` +
          `(\`join({ timeout })\`): the joined thread needs one of them to finish`,
      ),
    },
  ];
}

/**
 * A Condition wait whose notify came before it began (a lost wakeup): the fix is at the wait,
 * which must check the state instead of counting on a notify still to come.
 */
export function lostWakeupSuggestions(waitSite: number, ctx: SuggestionContext): Suggestion[] {
  return [
    {
      kind: "use-wait-for",
      message:
        `wait with \`waitFor(predicate)\`${inWhere(ctx, waitSite)}, the predicate reading the ` +
        `state the notifier changes: it returns at once when the notify came first, so the ` +
        `wakeup is not lost (a Condition keeps no memory of a notify nobody waited for)`,
    },
    ...hangSuggestions(waitSite, ctx),
  ];
}

/** Suggestion for a hang: waits that can end by themselves. */
export function hangSuggestions(site: number, ctx: SuggestionContext): Suggestion[] {
  return [
    {
      kind: "add-timeout",
      message: timeoutMessage(
        `give the blocking waits a timeout${inWhere(ctx, site)} (\`{ timeout }\`) and check the ` +
          `result: a thread then notices that nothing is left to wake it instead of hanging`,
      ),
    },
  ];
}

/** Threads or processes that each wait for the other's message: one must speak first. */
export function silentWaitSuggestions(site: number, ctx: SuggestionContext): Suggestion[] {
  return [
    {
      kind: "add-timeout",
      message: timeoutMessage(
        `let one side speak first (for example, send before the wait${inWhere(ctx, site)}): ` +
          `each side sends only after the other's message has arrived; otherwise give the ` +
          `wait a timeout ` +
          `(e.g. \`once(emitter, "message", { signal: AbortSignal.timeout(ms) })\`) and handle ` +
          `its expiry`,
      ),
    },
  ];
}
