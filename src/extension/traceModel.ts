// What the Threads and Locks views show, computed from the recorder's dictionary and events
// (the adapter's live stream, or a .tltrace file): per thread its state over time, per lock its
// owner, waiters and hold statistics, and the wait-for graph now. Pure (no vscode), so the unit
// tests drive it with plain traces.
import path from "node:path";
import type { Frame, MetaRecord, ObjectKind, TraceEvent } from "../protocol/events.ts";
import type {
  SourceLocation,
  ThreadState,
  ThreadsSnapshot,
  TimelineSegment,
  WaitForEdge,
} from "./webviewMessages.ts";

export interface LockSummary {
  readonly id: number;
  readonly name: string;
  readonly kind: ObjectKind;
  readonly owners: readonly string[];
  readonly waiters: readonly string[];
  readonly acquisitions: number;
  /** Acquisitions that had to wait. */
  readonly contended: number;
  /** Microseconds. */
  readonly averageHold: number;
  readonly longestHold: number;
  readonly created?: SourceLocation;
}

interface ThreadRecord {
  ident: number;
  name: string;
  segments: MutableSegment[];
  /** The lock it is blocked on (acquire-request without acquired), if any. */
  blockedOn: number | undefined;
  blockedSite: number;
}

interface MutableSegment {
  start: number;
  end: number | undefined;
  state: ThreadState;
  object?: string;
  site?: SourceLocation;
}

interface LockRecord {
  id: number;
  name: string;
  kind: ObjectKind;
  site: number;
  /** Holder ident → recursion depth. */
  holders: Map<number, number>;
  /** Holder ident → time of the outermost acquisition. */
  heldSince: Map<number, number>;
  waiters: Set<number>;
  acquisitions: number;
  contended: number;
  totalHold: number;
  longestHold: number;
}

const LOCK_KINDS: ReadonlySet<ObjectKind> = new Set([
  "Lock",
  "RLock",
  "Semaphore",
  "BoundedSemaphore",
]);

export class TraceModel {
  readonly #threads = new Map<number, ThreadRecord>();
  readonly #objects = new Map<number, LockRecord>();
  readonly #sites = new Map<number, readonly Frame[]>();
  #now = 0;

  /** @param cwd resolves relative frame paths (the program's working directory). */
  constructor(
    readonly title: string,
    private readonly cwd: string,
  ) {}

  addMeta(records: readonly MetaRecord[]): void {
    for (const m of records) {
      if (m.type === "thread") this.#thread(m.ident).name = m.name;
      else if (m.type === "site") this.#sites.set(m.id, m.frames);
      else if (m.type === "object") {
        const known = this.#objects.get(m.id);
        if (known !== undefined) {
          known.name = m.name;
          known.kind = m.kind;
          known.site = m.site;
        } else this.#objects.set(m.id, newLock(m.id, m.name, m.kind, m.site));
      }
    }
  }

  addEvents(events: readonly TraceEvent[]): void {
    for (const e of events) this.#apply(e);
  }

  /** The source line of a site id, if recorded. */
  location(site: number): SourceLocation | undefined {
    const frame = this.#sites.get(site)?.[0];
    if (frame === undefined) return undefined;
    return { file: path.resolve(this.cwd, frame.file), line: frame.line, column: frame.column };
  }

  locks(): LockSummary[] {
    return [...this.#objects.values()]
      .filter((l) => LOCK_KINDS.has(l.kind))
      .map((l) => {
        const created = this.location(l.site);
        const summary: LockSummary = {
          id: l.id,
          name: l.name,
          kind: l.kind,
          owners: [...l.holders.keys()].map((t) => this.#nameOf(t)),
          waiters: [...l.waiters].map((t) => this.#nameOf(t)),
          acquisitions: l.acquisitions,
          contended: l.contended,
          averageHold: l.acquisitions === 0 ? 0 : l.totalHold / l.acquisitions,
          longestHold: l.longestHold,
        };
        return created === undefined ? summary : { ...summary, created };
      });
  }

  waitForEdges(): WaitForEdge[] {
    const next = new Map<number, { to: number; lock: LockRecord; site: number }>();
    for (const t of this.#threads.values()) {
      if (t.blockedOn === undefined) continue;
      const lock = this.#objects.get(t.blockedOn);
      if (lock === undefined) continue;
      for (const owner of lock.holders.keys()) {
        if (owner !== t.ident || lock.kind === "Lock") {
          next.set(t.ident, { to: owner, lock, site: t.blockedSite });
        }
      }
    }
    const inCycle = cycleMembers(new Map([...next].map(([from, e]) => [from, e.to])));
    return [...next].map(([from, e]) => {
      const site = this.location(e.site);
      const edge = { from, to: e.to, lock: e.lock.name, inCycle: inCycle.has(from) };
      return site === undefined ? edge : { ...edge, site };
    });
  }

  snapshot(status: string): ThreadsSnapshot {
    return {
      title: this.title,
      now: this.#now,
      status,
      edges: this.waitForEdges(),
      lanes: [...this.#threads.values()].map((t) => ({
        ident: t.ident,
        name: t.name,
        segments: t.segments.map((s): TimelineSegment => ({ ...s })),
      })),
    };
  }

  #nameOf(ident: number): string {
    return this.#threads.get(ident)?.name ?? `thread ${ident}`;
  }

  #thread(ident: number): ThreadRecord {
    let t = this.#threads.get(ident);
    if (t === undefined) {
      t = { ident, name: `thread ${ident}`, segments: [], blockedOn: undefined, blockedSite: 0 };
      this.#threads.set(ident, t);
    }
    return t;
  }

  #lock(id: number): LockRecord {
    let l = this.#objects.get(id);
    if (l === undefined) {
      l = newLock(id, `#${id}`, "Lock", 0);
      this.#objects.set(id, l);
    }
    return l;
  }

  #enter(t: ThreadRecord, time: number, state: ThreadState, object?: number, site = 0): void {
    const last = t.segments.at(-1);
    if (last !== undefined && last.end === undefined) {
      if (last.state === state && object === undefined) return;
      last.end = time;
    }
    const segment: MutableSegment = { start: time, end: undefined, state };
    if (object !== undefined) segment.object = this.#objects.get(object)?.name ?? `#${object}`;
    const location = this.location(site);
    if (location !== undefined) segment.site = location;
    t.segments.push(segment);
  }

  #apply(e: TraceEvent): void {
    this.#now = Math.max(this.#now, e.time);
    const t = this.#thread(e.thread);
    switch (e.kind) {
      case "thread-start":
      case "join-end":
      case "wait-end":
        this.#enter(t, e.time, "running", undefined, e.site);
        break;
      case "thread-exit":
        this.#enter(t, e.time, "exited");
        break;
      case "join-begin":
        this.#enter(t, e.time, "joining", undefined, e.site);
        break;
      case "wait-begin":
        this.#enter(t, e.time, "waiting", e.object, e.site);
        break;
      case "acquire-request":
        t.blockedOn = e.object;
        t.blockedSite = e.site;
        this.#lock(e.object).waiters.add(t.ident);
        this.#enter(t, e.time, "blocked", e.object, e.site);
        break;
      case "acquire-timeout":
        this.#unblock(t, e.object);
        this.#enter(t, e.time, "running");
        break;
      case "acquired":
        this.#acquired(t, e);
        break;
      case "release":
        this.#released(t.ident, this.#lock(e.object), e.time);
        break;
      default:
        break;
    }
  }

  #unblock(t: ThreadRecord, lock: number): boolean {
    const waited = t.blockedOn === lock;
    t.blockedOn = undefined;
    this.#lock(lock).waiters.delete(t.ident);
    return waited;
  }

  #acquired(t: ThreadRecord, e: TraceEvent): void {
    const lock = this.#lock(e.object);
    const waited = this.#unblock(t, e.object);
    if (waited) this.#enter(t, e.time, "running", undefined, e.site);
    lock.acquisitions++;
    if (waited) lock.contended++;
    const depth = lock.holders.get(t.ident) ?? 0;
    lock.holders.set(t.ident, depth + 1);
    if (depth === 0) lock.heldSince.set(t.ident, e.time);
  }

  #released(thread: number, lock: LockRecord, time: number): void {
    // A semaphore may be released by a thread that never acquired it: end the oldest hold then.
    const holder = lock.holders.has(thread) ? thread : lock.holders.keys().next().value;
    if (holder === undefined) return;
    const depth = (lock.holders.get(holder) ?? 1) - 1;
    if (depth > 0) {
      lock.holders.set(holder, depth);
      return;
    }
    lock.holders.delete(holder);
    const held = time - (lock.heldSince.get(holder) ?? time);
    lock.heldSince.delete(holder);
    lock.totalHold += held;
    lock.longestHold = Math.max(lock.longestHold, held);
  }
}

function newLock(id: number, name: string, kind: ObjectKind, site: number): LockRecord {
  return {
    id,
    name,
    kind,
    site,
    holders: new Map(),
    heldSince: new Map(),
    waiters: new Set(),
    acquisitions: 0,
    contended: 0,
    totalHold: 0,
    longestHold: 0,
  };
}

/** Threads on a cycle of the wait-for graph, where each thread waits for at most one other. */
export function cycleMembers(next: ReadonlyMap<number, number>): Set<number> {
  const members = new Set<number>();
  for (const start of next.keys()) {
    const seen: number[] = [];
    let at: number | undefined = start;
    while (at !== undefined && !seen.includes(at) && !members.has(at)) {
      seen.push(at);
      at = next.get(at);
    }
    if (at !== undefined && seen.includes(at)) {
      for (const t of seen.slice(seen.indexOf(at))) members.add(t);
    }
  }
  return members;
}
