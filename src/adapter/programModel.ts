// What the adapter knows of the running program, from the recorder's stream: the dictionary
// (threads, primitives, call sites) and the run state (who holds what, who waits for what),
// built by the analysis' own Dictionary and RunState so that the Call Stack, the variables and
// the findings never disagree. It also keeps the trace so far for the `threadlens/trace`
// request.
import { Dictionary, type ThreadInfo } from "../analysis/dictionary.ts";
import { normalizePath } from "../protocol/paths.ts";
import { RunState, type Blocking, type Hold } from "../analysis/runState.ts";
import type { Frame, MetaRecord, ObjectKind, TraceEvent } from "../protocol/events.ts";

/**
 * Events kept for `threadlens/trace`; past this the oldest are left out (and counted), so a
 * long-running program cannot exhaust the adapter's memory.
 */
export const MAX_KEPT_EVENTS = 1_000_000;

/** A lock (or semaphore units) a thread holds. */
export interface HeldLock {
  readonly name: string;
  readonly kind: ObjectKind | undefined;
  readonly count: number;
  readonly site: readonly Frame[];
}

/** What a blocked thread waits for, and who could let it go. */
export interface AwaitedObject {
  readonly what: "acquire" | "join" | "wait";
  /** The primitive's name, or the joined thread's. */
  readonly name: string;
  readonly kind: ObjectKind | "Thread" | undefined;
  /** Threads holding the lock (acquire), or the joined thread (join). */
  readonly owners: readonly string[];
  /** For a wait: what for (queue get/put, condition wait, barrier, ...). */
  readonly reason: string | undefined;
  readonly timed: boolean;
  readonly site: readonly Frame[];
}

export interface ThreadChanges {
  readonly started: readonly ThreadInfo[];
  readonly exited: readonly number[];
}

export class ProgramModel {
  readonly dict = new Dictionary();
  readonly state = new RunState(this.dict);
  readonly #meta: MetaRecord[] = [];
  #events: TraceEvent[] = [];
  #omittedEvents = 0;
  /** Threads announced to the client (thread started events), by ident. */
  readonly #listed = new Set<number>();

  addMeta(record: MetaRecord): void {
    this.dict.add(record);
    this.#meta.push(record);
  }

  addEvents(events: readonly TraceEvent[]): void {
    for (const event of events) this.state.apply(event);
    this.#events.push(...events);
    if (this.#events.length > MAX_KEPT_EVENTS) {
      const excess = this.#events.length - MAX_KEPT_EVENTS;
      this.#events = this.#events.slice(excess);
      this.#omittedEvents += excess;
    }
  }

  /** The whole recording so far (without the oldest events past MAX_KEPT_EVENTS). */
  trace(): { meta: readonly MetaRecord[]; events: readonly TraceEvent[]; omittedEvents: number } {
    return { meta: this.#meta, events: this.#events, omittedEvents: this.#omittedEvents };
  }

  /** Announced and not ended (a thread whose record came before its first event is live). */
  isLive(ident: number): boolean {
    if (this.dict.thread(ident) === undefined) return false;
    return this.state.threads.has(ident) ? this.state.isLive(ident) : true;
  }

  /** Live logical threads, in creation order. */
  liveThreads(): ThreadInfo[] {
    return [...this.dict.threads()]
      .filter((t) => this.isLive(t.ident))
      .sort((a, b) => a.ident - b.ident);
  }

  /** The ident of the thread with this name (finding and report threads are named). */
  identOf(name: string): number | undefined {
    for (const info of this.dict.threads()) if (info.name === name) return info.ident;
    return undefined;
  }

  /** Threads that started or ended since the last call (for DAP `thread` events). */
  threadChanges(): ThreadChanges {
    const live = this.liveThreads();
    const started = live.filter((t) => !this.#listed.has(t.ident));
    const liveIdents = new Set(live.map((t) => t.ident));
    const exited = [...this.#listed].filter((ident) => !liveIdents.has(ident));
    for (const t of started) this.#listed.add(t.ident);
    for (const ident of exited) this.#listed.delete(ident);
    return { started, exited };
  }

  /** Frames of a call site, innermost first, with plain file paths. */
  frames(site: number): Frame[] {
    return this.dict.frames(site).map((f) => ({ ...f, file: normalizePath(f.file) }));
  }

  /** The innermost pending blocking operation of a thread. */
  blocking(ident: number): Blocking | undefined {
    return this.isLive(ident) ? this.state.threads.get(ident)?.blocking : undefined;
  }

  /** Where a thread is blocked, or else where it was last seen. */
  currentSite(ident: number): { site: number; blocked: boolean } {
    const status = this.state.threads.get(ident);
    const blocking = this.blocking(ident);
    if (blocking !== undefined) return { site: blocking.site, blocked: true };
    return { site: status?.lastSite ?? 0, blocked: false };
  }

  held(ident: number): HeldLock[] {
    const holds = [...(this.state.threads.get(ident)?.held.values() ?? [])];
    return holds
      .sort((a, b) => a.since - b.since)
      .map((hold: Hold) => ({
        name: this.dict.objectName(hold.object),
        kind: this.dict.objectKind(hold.object),
        count: hold.count,
        site: this.frames(hold.site),
      }));
  }

  awaited(ident: number): AwaitedObject | undefined {
    const blocking = this.blocking(ident);
    if (blocking === undefined) return undefined;
    const site = this.frames(blocking.site);
    if (blocking.kind === "join") {
      return {
        what: "join",
        name: this.dict.threadName(blocking.target),
        kind: "Thread",
        owners: [this.dict.threadName(blocking.target)],
        reason: undefined,
        timed: blocking.timed,
        site,
      };
    }
    const holders = this.state.objects.get(blocking.object)?.holds ?? [];
    return {
      what: blocking.kind,
      name: this.dict.objectName(blocking.object),
      kind: this.dict.objectKind(blocking.object),
      owners: blocking.kind === "acquire" ? holders.map((h) => this.dict.threadName(h.thread)) : [],
      reason: blocking.kind === "wait" ? blocking.reason : undefined,
      timed: blocking.timed,
      site,
    };
  }
}
