// Waits a thread never came back from (instrument/stuckAwaits.ts): an Atomics.waitAsync or an
// async-mutex acquisition keeps no event loop alive, so a thread whose loop has nothing else
// to run ends (a worker with code 0, main at the program's end) with the wait pending, and the
// code after it never runs. Reported as a `hang` of that thread, with each wait's site and
// object, once the thread has ended: nothing can settle those waits any more.
import type { Finding, FindingSite } from "../protocol/report.ts";
import { timeoutMessage } from "./suggestionTexts.ts";
import { findingSite } from "./dictionary.ts";
import type { AbandonedWait, RunState } from "./runState.ts";
import type { SuggestionContext } from "./suggestions.ts";

/** The abandoned waits grouped by the OS thread whose end abandoned them, in order. */
export function drainedHosts(state: RunState): Map<number, AbandonedWait[]> {
  const byHost = new Map<number, AbandonedWait[]>();
  for (const wait of state.abandoned) {
    const list = byHost.get(wait.host);
    if (list === undefined) byHost.set(wait.host, [wait]);
    else list.push(wait);
  }
  return byHost;
}

function waitText(state: RunState, wait: AbandonedWait): { text: string; object?: string } {
  const { dict } = state;
  const blocking = wait.blocking;
  if (blocking.kind === "join") return { text: `joins ${dict.threadName(blocking.target)}` };
  const name = dict.objectName(blocking.object);
  if (dict.object(blocking.object)?.kind === "Atomics") {
    return { text: `waits in Atomics.waitAsync on ${name}`, object: name };
  }
  return { text: `waits for ${name}`, object: name };
}

export function drainedWaitsFinding(
  state: RunState,
  host: number,
  waits: readonly AbandonedWait[],
  ctx: SuggestionContext,
): Finding {
  const { dict } = state;
  const clauses: string[] = [];
  const locks: string[] = [];
  const threads: string[] = [];
  const sites: FindingSite[] = [];
  for (const wait of waits) {
    const thread = dict.threadName(wait.thread);
    const { text, object } = waitText(state, wait);
    clauses.push(`${thread} ${text}`);
    if (object !== undefined && !locks.includes(object)) locks.push(object);
    if (!threads.includes(thread)) threads.push(thread);
    const site = findingSite(dict, ctx.cwd, wait.blocking.site, wait.thread, "waits");
    if (site !== undefined) sites.push(site);
  }
  const hostName = dict.threadName(host);
  return {
    kind: "hang",
    message:
      `hang: ${hostName} ended with waits pending, because its event loop had nothing else to ` +
      `run (these waits keep no thread alive, so Node ends it without settling them and the ` +
      `code after them never runs): ${clauses.join("; ")}`,
    locks,
    threads,
    sites,
    suggestions: [
      {
        kind: "add-timeout",
        message: timeoutMessage(
          `keep ${hostName} alive while it waits (a pending timer, or a message port it ` +
            `listens on), or give the waits a timeout and handle the result`,
        ),
      },
    ],
  };
}
