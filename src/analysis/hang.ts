// The global case of DESIGN 5.1 (Go's "all goroutines are asleep", with a reason per thread):
// every live thread is blocked without timeout or idle, each OS thread with a blocked logical
// thread is quiet (its loop reported idle, or it sits in a Sync wait), and no blocked thread's
// wait could end by itself. Then nothing can ever wake them. Threads already explained by a
// deadlock cycle are left to that finding.
import type { Finding, FindingSite } from "../protocol/report.ts";
import { mutualWaits, type AtomicsWaiter } from "./atomicsHandovers.ts";
import { findingSite, siteText } from "./dictionary.ts";
import { relativePath } from "../protocol/paths.ts";
import type { WaitReason } from "../protocol/events.ts";
import { unreachable } from "../protocol/unreachable.ts";
import type { Blocking, PrimitiveStatus, RunState, ThreadStatus } from "./runState.ts";
import {
  hangSuggestions,
  lostWakeupSuggestions,
  silentWaitSuggestions,
  type SuggestionContext,
} from "./suggestions.ts";
import type { DeadlockAnalysis } from "./waitForGraph.ts";
import { findWaitCycle, wakersOf, type SignalWait, type WaitCycleHop } from "./waitCycles.ts";

export interface Hang {
  /** The blocked threads not explained by a deadlock, by ident. */
  readonly threads: readonly number[];
  /** Workers and main idle with an event loop that waits for nothing but messages. */
  readonly waitingForMessages: readonly number[];
  readonly key: string;
}

/** The wait ends without help: the lock is free, the event set, the queue has an item, ... */
function canEndNow(state: RunState, blocking: Blocking): boolean {
  if (blocking.kind === "join") return !state.isLive(blocking.target);
  const object = state.objects.get(blocking.object);
  const info = state.dict.object(blocking.object);
  const traits = state.dict.traits(blocking.object);
  if (object === undefined) return blocking.kind === "acquire";
  if (blocking.kind === "acquire") {
    if (object.holds.length === 0) return !traits.units;
    if (blocking.shared && object.holds.every((h) => h.shared === true)) return true;
    if (!traits.units || object.signalStyle) return false;
    return info !== undefined && info.capacity > 0 && object.unitsHeld < info.capacity;
  }
  if (info === undefined) return false;
  if (traits.waits === "event") return object.isSet;
  if (traits.waits === "barrier") return info.capacity > 0 && object.waiting >= info.capacity;
  if (traits.waits === "queue") {
    const items = object.puts - object.gets;
    if (blocking.reason === "get") return items > 0;
    if (blocking.reason === "put") return info.capacity <= 0 || items < info.capacity;
    if (blocking.reason === "join") return object.puts - object.taskDones <= 0;
  }
  return false;
}

export function findHang(state: RunState, deadlocks: DeadlockAnalysis): Hang | undefined {
  const { dict } = state;
  const main = [...dict.threads()].find((t) => t.kind === "main");
  // After main's exit the program is over: nothing hangs any more.
  if (main !== undefined && state.threads.get(main.ident)?.exited === true) return undefined;
  const blocked: ThreadStatus[] = [];
  const waitingForMessages: number[] = [];
  for (const thread of state.liveThreads()) {
    // Being terminated, it ends whatever it waits for: a parent awaiting that end is not hung.
    if (thread.terminating) return undefined;
    const host = dict.hostOf(thread.ident);
    if (!state.isQuietHost(host)) return undefined;
    const blocking = thread.blocking;
    if (blocking === undefined) {
      // A task waiting for nothing threadlens sees (a timer, I/O) while another logical thread
      // of its OS thread awaits a join: joins are awaited, so that loop runs on and the task
      // with it, unless the loop itself says it is idle.
      const hostStatus = state.hosts.get(host);
      if (
        hostStatus !== undefined &&
        !hostStatus.loopIdle &&
        !hostStatus.waitingForMessages &&
        hostStatus.lastBegin?.blocking.kind === "join" &&
        hostStatus.lastBegin.thread !== thread.ident
      )
        return undefined;
      // Idle: its loop has nothing but threadlens waits, or waits for messages only.
      if (host === thread.ident && state.hosts.get(host)?.waitingForMessages === true) {
        waitingForMessages.push(thread.ident);
      }
      continue;
    }
    if (blocking.timed || canEndNow(state, blocking)) return undefined;
    blocked.push(thread);
  }
  const unexplained = blocked
    .filter((t) => !deadlocks.stuck.has(t.ident))
    .sort((a, b) => a.ident - b.ident);
  if (blocked.length === 0) return silentWaits(state, waitingForMessages);
  if (!unexplained.some((t) => dict.thread(t.ident)?.daemon !== true)) return undefined;
  if (main !== undefined && mainCanStillNotify(state, main.ident, unexplained)) return undefined;
  const key = unexplained
    .map((t) => `${t.ident}@${t.blocking?.site ?? 0}:${blockedOn(t.blocking)}`)
    .join(",");
  return {
    threads: unexplained.map((t) => t.ident),
    waitingForMessages: waitingForMessages.sort((a, b) => a - b),
    key: `hang:${key}`,
  };
}

/**
 * Threads and processes that each wait for another's message, with no thread blocked anywhere:
 * every OS thread of the run (main threads of processes, workers) has a loop that waits for
 * nothing but messages (IPC channels, parentPort, its plain Workers' ports), and no message
 * was given to a listener or posted for the hang's stability window (a counted one restarts
 * it: threads that talk fast enough to look idle at every beat are not hung). Nothing else can
 * wake them: no timer, no I/O, no standard input being read, no other message port listened to.
 */
function silentWaits(state: RunState, waitingForMessages: readonly number[]): Hang | undefined {
  const { dict } = state;
  const hosts = new Set(state.liveThreads().map((t) => dict.hostOf(t.ident)));
  if (hosts.size < 2) return undefined;
  for (const host of hosts) if (!waitingForMessages.includes(host)) return undefined;
  if ([...hosts].every((host) => dict.thread(host)?.daemon === true)) return undefined;
  const idents = [...hosts].sort((a, b) => a - b);
  return { threads: [], waitingForMessages: idents, key: `hang:messages:${idents.join(",")}` };
}

/**
 * Threads parked in Atomics.wait on a word that only main notifies (or nobody yet: an idle
 * pool, a synchronous-call bridge waiting for its first call) are woken when main's event loop
 * gets to it: while main is live and not blocked itself, that loop still runs (an unref'd
 * timer, input from outside, a resource the idle check cannot see), so they are waiting, not
 * hung (DESIGN 5.6). A hang needs main blocked too, or ended.
 */
function mainCanStillNotify(state: RunState, main: number, blocked: readonly ThreadStatus[]) {
  if (!state.isLive(main) || state.thread(main).blocking !== undefined) return false;
  return blocked.some((t) => {
    const blocking = t.blocking;
    if (blocking?.kind !== "wait" || state.dict.traits(blocking.object).waits !== "atomics")
      return false;
    return state.atomicsHandovers.notifiedOnlyBy(blocking.object, main);
  });
}

function blockedOn(blocking: Blocking | undefined): number {
  if (blocking === undefined) return 0;
  return blocking.kind === "join" ? blocking.target : blocking.object;
}

/** The main thread, when it is blocked inside Atomics.wait (so its event loop cannot run). */
function mainInAtomicsWait(state: RunState, hang: Hang): number | undefined {
  const { dict } = state;
  return hang.threads.find((ident) => {
    if (dict.thread(ident)?.kind !== "main") return false;
    const blocking = state.thread(ident).blocking;
    const host = state.hosts.get(dict.hostOf(ident));
    return (
      blocking?.kind === "wait" &&
      dict.traits(blocking.object).waits === "atomics" &&
      host?.blockedSync === true &&
      host.lastBegin?.blocking === blocking
    );
  });
}

/** How `thread` waits on an Atomics address. */
function atomicsWaitVerb(state: RunState, thread: ThreadStatus): string {
  // Recorded per thread (instrument/atomics.ts): a thread inside Atomics.wait said it blocks;
  // one that did not awaits waitAsync.
  const blocked = state.hosts.get(state.dict.hostOf(thread.ident))?.blockedSync === true;
  return blocked ? "waits in Atomics.wait" : "waits in Atomics.waitAsync";
}

/** The hang's threads in an Atomics wait, each with the address and site it waits at. */
function atomicsWaiters(state: RunState, hang: Hang): AtomicsWaiter[] {
  const waiters: AtomicsWaiter[] = [];
  for (const ident of hang.threads) {
    const blocking = state.thread(ident).blocking;
    if (blocking?.kind !== "wait" || state.dict.traits(blocking.object).waits !== "atomics")
      continue;
    waiters.push({ thread: ident, place: { object: blocking.object, site: blocking.site } });
  }
  return waiters;
}

/** One clause for two threads that each notify the other only after their own wait returns. */
function mutualWaitClause(state: RunState, [a, b]: [AtomicsWaiter, AtomicsWaiter]): string {
  const { dict } = state;
  const side = (waiter: AtomicsWaiter, other: AtomicsWaiter): string =>
    `${dict.threadName(waiter.thread)} ${atomicsWaitVerb(state, state.thread(waiter.thread))} ` +
    `on ${dict.objectName(waiter.place.object)}, which only ${dict.threadName(other.thread)} ` +
    `has notified, and did so after returning from the wait on ` +
    `${dict.objectName(other.place.object)} it is in now`;
  const names = `${dict.threadName(a.thread)} and ${dict.threadName(b.thread)}`;
  return `${names} wait for each other: ${side(a, b)}, and ${side(b, a)}`;
}

/** Why `thread` can never be woken, and the primitive it waits on. */
interface HangReason {
  readonly text: string;
  readonly object?: string;
  /** A Condition wait that began after its notify (the trace shows the notify first). */
  readonly lostWakeup?: boolean;
}

function hangReason(state: RunState, thread: ThreadStatus, ctx: SuggestionContext): HangReason {
  const { dict } = state;
  const blocking = thread.blocking;
  if (blocking === undefined) return { text: "is idle" };
  if (blocking.kind === "join") {
    const target = dict.threadName(blocking.target);
    return { text: `joins ${target}, which is blocked too` };
  }
  const name = dict.objectName(blocking.object);
  const info = dict.object(blocking.object);
  const object = state.objects.get(blocking.object);
  if (blocking.kind === "acquire") {
    const holders = [...new Set(object?.holds.map((h) => h.thread) ?? [])];
    if (holders.length === 0 || object?.signalStyle === true) {
      return { text: `waits for ${name}, which no live thread can release`, object: name };
    }
    const described = holders.map((h) =>
      state.isLive(h) ? dict.threadName(h) : `${dict.threadName(h)}, which has exited`,
    );
    return { text: `waits for ${name} held by ${described.join(" and ")}`, object: name };
  }
  const waits = dict.traits(blocking.object).waits;
  switch (waits) {
    case "atomics": {
      const text = `${atomicsWaitVerb(state, thread)} on ${name}, which no live thread can notify`;
      const idle = text.includes("waitAsync") ? ", with nothing else left in its event loop" : "";
      return { text: text + idle, object: name };
    }
    case "event":
      return { text: `waits on event ${name}, which no live thread can set`, object: name };
    case "condition": {
      const never = (object?.notifies ?? 0) === blocking.notifiesBefore;
      if (never && blocking.notifiesBefore > 0 && object !== undefined) {
        const notifier = dict.threadName(object.lastNotifier);
        const where = siteText(dict, ctx.cwd, object.lastNotifySite);
        return {
          text:
            `waits on condition ${name}, a lost wakeup: ${notifier} notified it ` +
            `${where === "" ? "" : `at ${where} `}before this wait began, and nothing notifies it since`,
          object: name,
          lostWakeup: true,
        };
      }
      const text = never
        ? `waits on condition ${name} never notified`
        : `waits on condition ${name}, which no live thread can notify`;
      return { text, object: name };
    }
    case "barrier": {
      const waiting = object?.waiting ?? 0;
      return {
        text: `waits at barrier ${name} with ${waiting} of ${info?.capacity ?? 0} parties, which no live thread can join`,
        object: name,
      };
    }
    case "queue":
      return queueWaitClause(blocking.reason, object, name);
    case "none":
      break;
    default:
      return unreachable(waits);
  }
  return { text: `waits on ${name}, which no live thread can wake`, object: name };
}

function queueWaitClause(
  reason: WaitReason,
  object: PrimitiveStatus | undefined,
  name: string,
): { text: string; object: string } {
  if (reason === "join") {
    const unfinished = (object?.puts ?? 0) - (object?.taskDones ?? 0);
    const tasks = `${unfinished} unfinished task${unfinished === 1 ? "" : "s"}`;
    return { text: `blocked in queue.join() with ${tasks} in ${name}`, object: name };
  }
  if (reason === "put") {
    return {
      text: `waits in queue.put() on full ${name}, which no live thread can get from`,
      object: name,
    };
  }
  return {
    text: `waits in queue.get() on empty ${name}, which no live thread can put to`,
    object: name,
  };
}

export function hangFinding(state: RunState, hang: Hang, ctx: SuggestionContext): Finding {
  const { dict } = state;
  const clauses: string[] = [];
  const blockedMain = mainInAtomicsWait(state, hang);
  const locks: string[] = [];
  const sites: FindingSite[] = [];
  const pairs = mutualWaits(state.atomicsHandovers, atomicsWaiters(state, hang));
  let lostWakeupSite: number | undefined;
  const cycle = findWaitCycle(dict, signalWaits(state, hang), ctx.readSource);
  for (const ident of hang.threads) {
    const thread = state.thread(ident);
    const hop = cycle?.find((h) => h.thread === ident);
    const reason =
      hop === undefined ? hangReason(state, thread, ctx) : cycleReason(state, hop, ctx);
    if (reason.lostWakeup === true && lostWakeupSite === undefined)
      lostWakeupSite = thread.blocking?.site ?? 0;
    const pair = pairs.find(([a, b]) => a.thread === ident || b.thread === ident);
    // A mutual wait is said once, where its first thread's own clause would be.
    if (pair === undefined) clauses.push(`${dict.threadName(ident)} ${reason.text}`);
    else if (pair[0].thread === ident) clauses.push(mutualWaitClause(state, pair));
    if (reason.object !== undefined && !locks.includes(reason.object)) locks.push(reason.object);
    const site = findingSite(dict, ctx.cwd, thread.blocking?.site ?? 0, ident, "waits");
    if (site !== undefined) sites.push(site);
  }
  const sender =
    blockedMain === undefined
      ? "which no running thread can send"
      : `which ${dict.threadName(blockedMain)} cannot send: blocked in Atomics.wait, it runs no event loop (no message handler, timer or worker start scheduled there can happen)`;
  for (const ident of hang.waitingForMessages) {
    const listens = state.hosts.get(ident)?.messageSite ?? 0;
    const where = siteText(dict, ctx.cwd, listens);
    const at = where === "" ? "" : ` (it listens at ${where})`;
    clauses.push(
      `${dict.threadName(ident)} is idle and can only be woken by a message${at}, ${sender}`,
    );
    const site = findingSite(dict, ctx.cwd, listens, ident, "waits");
    if (site !== undefined) sites.push(site);
  }
  const idleNames = hang.waitingForMessages.map((ident) => dict.threadName(ident));
  let summary =
    hang.threads.length === 0
      ? `every ${hang.waitingForMessages.every((t) => dict.thread(t)?.kind === "main") ? "process" : "thread"} waits for a message and none is running to send one`
      : cycle === undefined
        ? "every thread is blocked and none can wake the others"
        : `a cycle of waits (${cycle.map((h) => dict.threadName(h.thread)).join(" → ")} → ${dict.threadName(cycle[0]?.thread ?? 0)}): each would wake the next only after its own wait ends`;
  if (blockedMain !== undefined) {
    const main = dict.threadName(blockedMain);
    summary =
      idleNames.length > 0
        ? `${main} blocks in Atomics.wait while ${idleNames.join(" and ")} can only go on when ${main}'s event loop runs`
        : `${main} blocks in Atomics.wait with no thread left to notify it, and what its event loop would run (a timer, a message handler, a worker start) cannot run while it blocks`;
  }
  // A cycle of waits is broken at one of its waits: the timeout goes there.
  const firstThread = cycle?.[0]?.thread ?? hang.threads[0] ?? 0;
  const firstSite = state.threads.get(firstThread)?.blocking?.site ?? 0;
  const firstListener = hang.waitingForMessages[0] ?? 0;
  return {
    kind: "hang",
    message: `hang: ${summary}: ${clauses.join("; ")}`,
    locks,
    threads: [...hang.threads, ...hang.waitingForMessages].map((ident) => dict.threadName(ident)),
    sites,
    suggestions:
      hang.threads.length === 0
        ? silentWaitSuggestions(state.hosts.get(firstListener)?.messageSite ?? 0, ctx)
        : lostWakeupSite === undefined
          ? hangSuggestions(firstSite, ctx)
          : lostWakeupSuggestions(lostWakeupSite, ctx),
  };
}

/** The hang's waits that another thread's call would end (events, conditions, queues). */
function signalWaits(state: RunState, hang: Hang): SignalWait[] {
  const waits: SignalWait[] = [];
  for (const ident of hang.threads) {
    const blocking = state.thread(ident).blocking;
    if (blocking?.kind !== "wait") continue;
    const wakers = wakersOf(state.dict.traits(blocking.object).waits, blocking.reason);
    if (wakers.length === 0) continue;
    waits.push({ thread: ident, object: blocking.object, site: blocking.site, wakers });
  }
  return waits;
}

/** A thread's clause in a cycle of waits: who would wake it, and where, after its own wait. */
function cycleReason(state: RunState, hop: WaitCycleHop, ctx: SuggestionContext): HangReason {
  const { dict } = state;
  const name = dict.objectName(hop.object);
  const noun = dict.traits(hop.object).noun;
  const at = `${relativePath(hop.at.file, ctx.cwd)}:${hop.at.line}`;
  return {
    text: `waits on ${noun} ${name}, which ${dict.threadName(hop.waker)} would ${hop.method}() (${at}) only after its own wait`,
    object: name,
  };
}
