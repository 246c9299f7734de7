// Findings for actual deadlocks: in the style of ThreadSanitizer's first line, each thread of
// the cycle with what it holds and what it waits for, then the cycle itself; a "holds" and a
// "waits" site per thread.
import type { Finding, FindingSite, Suggestion } from "../protocol/report.ts";
import { findingSite } from "./dictionary.ts";
import type { Hold, RunState, ThreadStatus } from "./runState.ts";
import {
  joinDeadlockSuggestions,
  lockCycleSuggestions,
  selfDeadlockSuggestions,
  type CycleStep,
  type SuggestionContext,
} from "./suggestions.ts";
import { waitResource, type DeadlockCycle } from "./waitForGraph.ts";

/** Locks `thread` holds that some member of the cycle waits for, oldest first. */
function relevantHolds(thread: ThreadStatus, waited: ReadonlySet<number>): Hold[] {
  return [...thread.held.values()]
    .filter((hold) => waited.has(hold.object))
    .sort((a, b) => a.object - b.object);
}

function waitText(state: RunState, thread: ThreadStatus): string {
  const blocking = thread.blocking;
  if (blocking?.kind === "join") return `joins ${state.dict.threadName(blocking.target)}`;
  return `waits for ${waitResource(state, blocking)}`;
}

export function deadlockFinding(
  state: RunState,
  deadlock: DeadlockCycle,
  ctx: SuggestionContext,
): Finding {
  const { dict } = state;
  const threads = deadlock.members.map((ident) => state.thread(ident));
  const waited = new Set<number>();
  for (const thread of threads) {
    if (thread.blocking?.kind === "acquire") waited.add(thread.blocking.object);
  }
  const sites: FindingSite[] = [];
  const clauses: string[] = [];
  const lockNames: string[] = [];
  const addLock = (name: string): void => {
    if (!lockNames.includes(name)) lockNames.push(name);
  };
  for (const thread of threads) {
    const holds = relevantHolds(thread, waited);
    const name = dict.threadName(thread.ident);
    const held = holds.map((hold) => dict.objectName(hold.object));
    clauses.push(
      held.length === 0
        ? `${name} ${waitText(state, thread)}`
        : `${name} holds ${held.join(", ")} and ${waitText(state, thread)}`,
    );
    for (const hold of holds) {
      const site = findingSite(dict, ctx.cwd, hold.site, thread.ident, "holds");
      if (site !== undefined) sites.push({ ...site, lock: dict.objectName(hold.object) });
    }
    const blocking = thread.blocking;
    const waitSite = findingSite(dict, ctx.cwd, blocking?.site ?? 0, thread.ident, "waits");
    if (waitSite !== undefined) {
      const lock = blocking?.kind === "acquire" ? dict.objectName(blocking.object) : undefined;
      sites.push(lock === undefined ? waitSite : { ...waitSite, lock });
    }
  }
  const cycleThreads = deadlock.cycle.map((ident) => state.thread(ident));
  const resources = cycleThreads.map((t) => waitResource(state, t.blocking));
  const cycleText = [resources.at(-1) ?? "", ...resources].join(" → ");
  // Locks in the order the cycle text names them, then those of threads behind it.
  for (const thread of [...cycleThreads.slice(-1), ...cycleThreads, ...threads]) {
    const blocking = thread.blocking;
    if (blocking?.kind === "acquire") addLock(dict.objectName(blocking.object));
  }
  const first = threads[0];
  const message =
    deadlock.kind === "self-deadlock" && first !== undefined
      ? selfDeadlockMessage(state, first)
      : `deadlock: ${clauses.join("; ")} (cycle ${cycleText})`;
  return {
    kind: deadlock.kind,
    message,
    locks: lockNames,
    threads: threads.map((t) => dict.threadName(t.ident)),
    sites,
    suggestions: deadlockSuggestions(state, deadlock, ctx),
  };
}

function selfDeadlockMessage(state: RunState, thread: ThreadStatus): string {
  const blocking = thread.blocking;
  const name = state.dict.threadName(thread.ident);
  const object = blocking?.kind === "acquire" ? blocking.object : 0;
  const lock = state.dict.objectName(object);
  const kind = state.dict.objectKind(object) ?? "Lock";
  if (state.dict.traits(object).units) {
    return `self-deadlock: ${name} waits for ${kind} ${lock} while it holds every unit taken`;
  }
  return `self-deadlock: ${name} acquires ${lock} again while holding it (${kind} is not reentrant)`;
}

function deadlockSuggestions(
  state: RunState,
  deadlock: DeadlockCycle,
  ctx: SuggestionContext,
): Suggestion[] {
  const cycle = deadlock.cycle.map((ident) => state.thread(ident));
  const first = cycle[0];
  if (deadlock.kind === "self-deadlock" && first?.blocking?.kind === "acquire") {
    return selfDeadlockSuggestions(first.blocking.object, first.blocking.site, ctx, first.ident);
  }
  const joiner = cycle.find((t) => t.blocking?.kind === "join");
  if (joiner?.blocking?.kind === "join") {
    return joinDeadlockSuggestions(joiner.ident, joiner.blocking.target, joiner.blocking.site, ctx);
  }
  // Each cycle thread holds the lock its predecessor waits for and waits for the next one.
  const steps: CycleStep[] = [];
  cycle.forEach((thread, i) => {
    const predecessor = cycle[(i + cycle.length - 1) % cycle.length];
    const wanted = predecessor?.blocking;
    const blocking = thread.blocking;
    if (wanted?.kind !== "acquire" || blocking?.kind !== "acquire") return;
    const hold = thread.held.get(wanted.object);
    steps.push({
      thread: thread.ident,
      from: wanted.object,
      to: blocking.object,
      heldSite: hold?.site ?? 0,
      acquireSite: blocking.site,
    });
  });
  const locks = steps.map((s) => s.from);
  return lockCycleSuggestions([...new Set(locks)], steps, ctx);
}
