// The state of a run at one point of its event sequence: which threads live, what each one is
// blocked in, who holds which lock or semaphore unit, and the counters the hang analysis needs
// (event set, queue items and unfinished tasks, notifies). Events are applied one at a time,
// in the order eventOrder.ts gives (or the order batches arrive in, live).
import {
  LOOP_BLOCKED,
  LOOP_DRAINED,
  LOOP_MESSAGES_ONLY,
  type EventOf,
  type TraceEvent,
} from "../protocol/events.ts";
import { AtomicsHandovers } from "./atomicsHandovers.ts";
import { detachRanOnWaits } from "./detachedWaits.ts";
import type { Dictionary } from "./dictionary.ts";
import { removeAt } from "./arrays.ts";
import type { AcquireBlocking, Blocking } from "./blockings.ts";
import { HeldLocks, type Hold } from "./heldLocks.ts";
import { HeldSets } from "./heldSets.ts";
import { unreachable } from "../protocol/unreachable.ts";

export type { AcquireBlocking, Blocking, JoinBlocking, WaitBlocking } from "./blockings.ts";
export type { Hold } from "./heldLocks.ts";

/** Early releases kept per lock; more means a trace with holds we never saw (dropped events). */
const MAX_EARLY_RELEASES = 16;

/** A wait its thread never came back from: the OS thread ended when its loop drained. */
export interface AbandonedWait {
  readonly thread: number;
  /** The OS thread (main or worker) whose end abandoned it. */
  readonly host: number;
  readonly blocking: Blocking;
  /** When the OS thread ended. */
  readonly time: number;
}

export class ThreadStatus {
  started = false;
  exited = false;
  exitCode = 0;
  /** Parent ident from thread-start (0: none or unknown). */
  parent = 0;
  /** Its terminate() was called: it ends whatever it waits for (hang.ts). */
  terminating = false;
  /**
   * Pending blocking operations, innermost last: a Condition wait re-takes its lock before
   * its wait-end, so an acquire-request can sit on top of a wait-begin.
   */
  readonly blockings: Blocking[] = [];
  /** Locks and semaphore units held, by object id. */
  readonly held = new HeldLocks();
  /** `held` interned (RunState.heldSets), kept in step with it. */
  heldSet: number;
  /** Time of the last event other than loop-idle (stability of a blocked state). */
  lastTime = 0;
  /** Last captured call site (where a running thread was last seen). */
  lastSite = 0;

  constructor(
    readonly ident: number,
    /** The empty held set of this thread. */
    readonly heldRoot: number,
  ) {
    this.heldSet = heldRoot;
  }

  get blocking(): Blocking | undefined {
    return this.blockings.at(-1);
  }
}

export class PrimitiveStatus {
  /** Holds in the order they were taken (oldest first). */
  readonly holds: Hold[] = [];
  /** Lock releases seen before the matching acquisition (cross-thread order skew): their times. */
  readonly earlyReleases: number[] = [];
  /** A semaphore released by a thread holding no unit is used as a signal, not a resource. */
  signalStyle = false;
  isSet = false;
  puts = 0;
  gets = 0;
  taskDones = 0;
  notifies = 0;
  /** Who notified it last, and where (0: not captured): a lost wakeup names them. */
  lastNotifier = 0;
  lastNotifySite = 0;
  /** Threads waiting at a barrier now. */
  waiting = 0;
  /** The first logical thread that requested or acquired it (0: none yet). */
  firstUser = 0;
  /** A second logical thread requested or acquired it too. */
  shared = false;

  constructor(readonly id: number) {}

  get unitsHeld(): number {
    return this.holds.reduce((sum, hold) => sum + hold.count, 0);
  }
}

/** An OS thread's event loop, as its loop-idle events and its last event tell. */
export class HostStatus {
  /** The last loop-idle said "nothing left but threadlens waits", and nothing ran since. */
  loopIdle = false;
  /** That loop-idle was said at the loop's end: the thread ends next unless something runs. */
  drained = false;
  /**
   * The recorder says the loop waits for nothing but messages (LOOP_MESSAGES_ONLY). Events
   * of the thread leave it as it is: the recorder says when the thread turns busy.
   */
  waitingForMessages = false;
  /** While waitingForMessages: where the thread listens for them (a call site, or 0). */
  messageSite = 0;
  /** The thread is blocked in a Sync call (the runtime's LOOP_BLOCKED loop-idle said so). */
  blockedSync = false;
  /** The OS thread's last event began a blocking operation (it may be blocked in a Sync call). */
  lastBegin: { readonly thread: number; readonly blocking: Blocking } | undefined;
  lastTime = 0;

  constructor(readonly ident: number) {}
}

export class RunState {
  readonly threads = new Map<number, ThreadStatus>();
  readonly objects = new Map<number, PrimitiveStatus>();
  readonly hosts = new Map<number, HostStatus>();
  /** Atomics notifies and the waits they followed, per thread (to name mutual waits). */
  readonly atomicsHandovers = new AtomicsHandovers();
  /** Threads some thread joined successfully (join-end with the thread ended). */
  readonly joined = new Set<number>();
  /** Waits pending in logical threads whose OS thread ended because its loop drained. */
  readonly abandoned: AbandonedWait[] = [];
  /** The threads' held sets, interned (ThreadStatus.heldSet). */
  readonly heldSets = new HeldSets();
  /** Time of the latest event applied. */
  lastTime = 0;

  constructor(readonly dict: Dictionary) {}

  thread(ident: number): ThreadStatus {
    let status = this.threads.get(ident);
    if (status === undefined) {
      status = new ThreadStatus(ident, this.heldSets.root());
      this.threads.set(ident, status);
    }
    return status;
  }

  object(id: number): PrimitiveStatus {
    let status = this.objects.get(id);
    if (status === undefined) {
      status = new PrimitiveStatus(id);
      this.objects.set(id, status);
    }
    return status;
  }

  host(ident: number): HostStatus {
    let status = this.hosts.get(ident);
    if (status === undefined) {
      status = new HostStatus(ident);
      this.hosts.set(ident, status);
    }
    return status;
  }

  /** Alive now: seen and not exited, and its OS thread has not exited (tasks die with it). */
  isLive(ident: number): boolean {
    const status = this.threads.get(ident);
    if (status === undefined || status.exited) return false;
    const host = this.dict.hostOf(ident);
    return host === ident || this.threads.get(host)?.exited !== true;
  }

  liveThreads(): ThreadStatus[] {
    return [...this.threads.values()].filter((t) => this.isLive(t.ident));
  }

  /**
   * The OS thread runs nothing that could wake anyone: its loop reported idle (or waiting for
   * nothing but messages, which only a running thread could send), or its last
   * event began a wait without timeout that is still pending (a Sync call blocks the whole
   * thread, and a blocked thread cannot report anything).
   */
  isQuietHost(hostIdent: number): boolean {
    const host = this.hosts.get(hostIdent);
    if (host === undefined) return false;
    return host.loopIdle || host.waitingForMessages;
  }

  /** The acquisition site of `object` by `thread`: the acquired site, else its request's. */
  acquisitionSite(event: TraceEvent): number {
    if (event.site !== 0) return event.site;
    const thread = this.threads.get(event.thread);
    return thread === undefined ? 0 : (pendingRequestOf(thread, event.object)?.site ?? 0);
  }

  /** The thread's pending acquire-request for `object`, if it is its innermost blocking. */
  pendingRequest(thread: number, object: number): AcquireBlocking | undefined {
    const status = this.threads.get(thread);
    return status === undefined ? undefined : pendingRequestOf(status, object);
  }

  apply(event: TraceEvent): void {
    this.atomicsHandovers.observe(event);
    const thread = this.thread(event.thread);
    const host = this.host(this.dict.hostOf(event.thread));
    this.lastTime = Math.max(this.lastTime, event.time);
    host.lastTime = Math.max(host.lastTime, event.time);
    if (event.kind === "loop-idle" && event.object === LOOP_MESSAGES_ONLY) {
      host.waitingForMessages = event.flag;
      host.messageSite = event.flag ? event.site : 0;
      // Where an idle thread listens is where it is (the Call Stack's frame for it).
      if (event.site !== 0) thread.lastSite = event.site;
      return;
    }
    if (event.kind === "loop-idle") {
      host.loopIdle = event.flag;
      host.drained = event.flag && event.object === LOOP_DRAINED;
      host.blockedSync = event.flag && event.object === LOOP_BLOCKED;
      return;
    }
    if (event.kind === "thread-exit" && event.thread === host.ident && host.drained) {
      this.#abandonWaits(host.ident, event.time);
    }
    detachRanOnWaits(thread.blockings, event, this.dict);
    // Anything else means the loop ran code again.
    host.loopIdle = false;
    host.drained = false;
    host.blockedSync = false;
    host.lastBegin = undefined;
    thread.lastTime = Math.max(thread.lastTime, event.time);
    if (event.site !== 0) thread.lastSite = event.site;
    // Nothing is allocated here for the common events (acquired, release): this runs for every
    // event, and allocation per event was most of its cost.
    switch (event.kind) {
      case "thread-start":
        thread.started = true;
        thread.parent = event.object;
        break;
      case "thread-exit":
        thread.exited = true;
        thread.exitCode = event.object;
        thread.blockings.length = 0;
        break;
      case "join-begin":
        begin(thread, host, { kind: "join", target: event.object, ...baseOf(event) });
        break;
      case "join-end":
        endBlocking(thread, "join", event.object);
        if (event.flag) {
          this.joined.add(event.object);
          // It ended, even if its own thread-exit was lost (a worker killed at exit).
          const joined = this.threads.get(event.object);
          if (joined !== undefined) joined.exited = true;
        }
        break;
      case "acquire-request":
        noteUser(this.object(event.object), thread.ident);
        begin(thread, host, {
          kind: "acquire",
          object: event.object,
          shared: event.shared === true,
          ...baseOf(event),
        });
        break;
      case "acquired":
        this.#acquired(thread, event);
        break;
      case "acquire-timeout":
        endBlocking(thread, "acquire", event.object);
        break;
      case "release":
        this.#release(thread, event);
        break;
      case "wait-begin": {
        const object = this.object(event.object);
        const reason = event.reason ?? "wait";
        if (reason === "barrier") object.waiting++;
        begin(thread, host, {
          kind: "wait",
          object: event.object,
          reason,
          notifiesBefore: object.notifies,
          ...baseOf(event),
        });
        break;
      }
      case "wait-end": {
        const ended = endBlocking(thread, "wait", event.object);
        const object = this.object(event.object);
        if (ended?.kind === "wait" && ended.reason === "barrier" && object.waiting > 0) {
          object.waiting--;
        }
        break;
      }
      case "notify": {
        const object = this.object(event.object);
        object.notifies++;
        object.lastNotifier = event.thread;
        object.lastNotifySite = event.site;
        break;
      }
      case "set":
        this.object(event.object).isSet = true;
        break;
      case "clear":
        this.object(event.object).isSet = false;
        break;
      case "put":
        this.object(event.object).puts++;
        break;
      case "get":
        this.object(event.object).gets++;
        break;
      case "task-done":
        this.object(event.object).taskDones++;
        break;
      case "terminate":
        this.thread(event.object).terminating = true;
        break;
      case "bad-release":
      case "create":
      case "over-release":
      case "pool-misuse":
        // create and the misuse events change no state.
        break;
      default:
        unreachable(event);
    }
  }

  /** The OS thread `host` ends after its loop drained: its pending waits never end. */
  #abandonWaits(host: number, time: number): void {
    for (const thread of this.liveThreads()) {
      if (this.dict.hostOf(thread.ident) !== host) continue;
      for (const blocking of thread.blockings) {
        if (!blocking.timed) this.abandoned.push({ thread: thread.ident, host, blocking, time });
      }
    }
  }

  #acquired(thread: ThreadStatus, event: EventOf<"acquired">): void {
    const site =
      event.site !== 0 ? event.site : (pendingRequestOf(thread, event.object)?.site ?? 0);
    endBlocking(thread, "acquire", event.object);
    const object = this.object(event.object);
    noteUser(object, thread.ident);
    const traits = this.dict.traits(event.object);
    const own = thread.held.get(event.object);
    if (traits.reentrant || traits.units || traits.sharable) {
      // Taken again by its holder: a deeper level, one more unit, one more shared hold.
      if (own !== undefined) {
        own.count++;
        return;
      }
    } else {
      // A plain Lock: a release of it by another thread may have been applied first.
      const early = earlyReleaseFor(object.earlyReleases, event.time);
      if (early >= 0) {
        removeAt(object.earlyReleases, early);
        return;
      }
      if (own !== undefined) return;
    }
    const hold: Hold = {
      thread: thread.ident,
      object: event.object,
      count: 1,
      site,
      since: event.time,
      shared: event.shared === true,
    };
    thread.held.add(hold);
    thread.heldSet = this.heldSets.withHold(thread.heldSet, event.object, site);
    object.holds.push(hold);
  }

  #release(thread: ThreadStatus, event: EventOf<"release">): void {
    const object = this.object(event.object);
    const traits = this.dict.traits(event.object);
    const own = thread.held.get(event.object);
    if (own !== undefined) {
      this.#dropUnit(own, object);
      return;
    }
    // Only a holder can release an RLock (anything else is a bad-release event).
    if (traits.holderReleases) return;
    if (traits.units) {
      object.signalStyle = true;
      const oldest = object.holds[0];
      if (oldest !== undefined) this.#dropUnit(oldest, object);
      return;
    }
    // A plain Lock may be released by any thread: the oldest hold ends.
    const oldest = object.holds[0];
    if (oldest !== undefined) this.#dropUnit(oldest, object);
    else if (object.earlyReleases.push(event.time) > MAX_EARLY_RELEASES)
      object.earlyReleases.shift();
  }

  /** Ends one unit of `hold`, a hold on `object`. */
  #dropUnit(hold: Hold, object: PrimitiveStatus): void {
    hold.count--;
    if (hold.count > 0) return;
    const at = object.holds.indexOf(hold);
    if (at >= 0) removeAt(object.holds, at);
    const thread = this.threads.get(hold.thread);
    if (thread?.held.get(hold.object) !== hold) return;
    thread.held.delete(hold.object);
    // Nothing left held: the empty set, without an iterator (a flood of single holds).
    thread.heldSet =
      this.heldSets.withoutLatest(thread.heldSet, hold.object) ??
      (thread.held.size === 0
        ? thread.heldRoot
        : this.heldSets.of(thread.heldRoot, thread.held.values()));
  }
}

function baseOf(event: TraceEvent): { site: number; timed: boolean; since: number } {
  return { site: event.site, timed: event.flag, since: event.time };
}

function pendingRequestOf(thread: ThreadStatus, object: number): AcquireBlocking | undefined {
  const { blockings } = thread;
  // Length first: reading index -1 of an empty array is a slow property lookup in V8.
  if (blockings.length === 0) return undefined;
  const top = blockings[blockings.length - 1] as Blocking;
  return top.kind === "acquire" && top.object === object ? top : undefined;
}

function begin(thread: ThreadStatus, host: HostStatus, blocking: Blocking): void {
  thread.blockings.push(blocking);
  host.lastBegin = { thread: thread.ident, blocking };
}

/**
 * Removes the innermost pending blocking of `kind` on `id` (the joined thread for a join, the
 * object otherwise); returns it. No callback: this runs for every acquisition.
 */
function endBlocking(
  thread: ThreadStatus,
  kind: Blocking["kind"],
  id: number,
): Blocking | undefined {
  const { blockings } = thread;
  for (let i = blockings.length - 1; i >= 0; i--) {
    const blocking = blockings[i] as Blocking;
    if (
      blocking.kind === kind &&
      (blocking.kind === "join" ? blocking.target : blocking.object) === id
    ) {
      removeAt(blockings, i);
      return blocking;
    }
  }
  return undefined;
}

/** Index of the first early release at or after `time` (-1: none). */
function earlyReleaseFor(earlyReleases: readonly number[], time: number): number {
  for (let i = 0; i < earlyReleases.length; i++) {
    if (time <= (earlyReleases[i] as number)) return i;
  }
  return -1;
}

/** Two comparisons on the common path: this runs for every acquisition. */
function noteUser(object: PrimitiveStatus, thread: number): void {
  if (object.firstUser === thread || object.shared) return;
  if (object.firstUser === 0) object.firstUser = thread;
  else object.shared = true;
}
