// The finding for `threadlens run --timeout` (DESIGN 8): the program was stopped because it was
// still running, so it is reported as a hang naming every live thread and where it is. Nothing
// is claimed about who could wake whom: some thread may well have been running.
import type { Finding, FindingSite } from "../protocol/report.ts";
import { unreachable } from "../protocol/unreachable.ts";
import { findingSite, siteText } from "./dictionary.ts";
import type { Blocking, RunState, ThreadStatus } from "./runState.ts";
import { hangSuggestions, type SuggestionContext } from "./suggestions.ts";

/** What a thread is blocked in, without judging whether it can be woken. */
function blockedIn(state: RunState, blocking: Blocking): string {
  const { dict } = state;
  if (blocking.kind === "join") return `joins ${dict.threadName(blocking.target)}`;
  const name = dict.objectName(blocking.object);
  if (blocking.kind === "acquire") {
    const holders = [...new Set(state.objects.get(blocking.object)?.holds.map((h) => h.thread))];
    const held = holders.map((h) => dict.threadName(h)).join(" and ");
    return holders.length === 0 ? `waits for ${name}` : `waits for ${name} held by ${held}`;
  }
  const waits = dict.traits(blocking.object).waits;
  switch (waits) {
    case "queue":
      return `blocked in queue.${blocking.reason}() on ${name}`;
    case "event":
      return `waits on event ${name}`;
    case "condition":
      return `waits on condition ${name}`;
    case "barrier":
      return `waits at barrier ${name}`;
    case "atomics":
    case "none":
      return `waits on ${name}`;
    default:
      return unreachable(waits);
  }
}

function describe(state: RunState, thread: ThreadStatus, cwd: string): string {
  const name = state.dict.threadName(thread.ident);
  const blocking = thread.blocking;
  if (blocking !== undefined) {
    return `${name} ${blockedIn(state, blocking)}${blocking.timed ? " (with a timeout)" : ""}`;
  }
  const where = siteText(state.dict, cwd, thread.lastSite);
  return `${name} is running${where === "" ? "" : ` (last seen at ${where})`}`;
}

export function timeoutFinding(
  state: RunState,
  timeoutMs: number,
  ctx: SuggestionContext,
): Finding {
  const live = state.liveThreads().sort((a, b) => a.ident - b.ident);
  const sites: FindingSite[] = [];
  const locks: string[] = [];
  for (const thread of live) {
    const blocking = thread.blocking;
    if (blocking === undefined) continue;
    const site = findingSite(state.dict, ctx.cwd, blocking.site, thread.ident, "waits");
    if (site !== undefined) sites.push(site);
    if (blocking.kind !== "join") {
      const name = state.dict.objectName(blocking.object);
      if (!locks.includes(name)) locks.push(name);
    }
  }
  const clauses = live.map((t) => describe(state, t, ctx.cwd));
  const firstBlocked = live.find((t) => t.blocking !== undefined)?.blocking?.site ?? 0;
  return {
    kind: "hang",
    message:
      `hang: still running after the ${timeoutMs} ms timeout` +
      (clauses.length === 0 ? "" : `: ${clauses.join("; ")}`),
    locks,
    threads: live.map((t) => state.dict.threadName(t.ident)),
    sites,
    suggestions: firstBlocked === 0 ? [] : hangSuggestions(firstBlocked, ctx),
  };
}
