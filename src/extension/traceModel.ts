// What the Threads and Locks views show, computed from the recorder's dictionary and events
// (the adapter's live stream, or a .tltrace file): per thread its state over time and its lock
// hold and wait intervals, per lock its owner, waiters and hold statistics, and the wait-for
// graph now. Pure (no vscode), so the unit tests and the bench drive it with plain traces.
// Lanes are stored as columns of numbers (a million events stay a few arrays); snapshots are
// bounded by the viewport's pixels (laneSnapshot.ts).
import path from "node:path";
import type { Frame, MetaRecord, ObjectKind, TraceEvent } from "../protocol/events.ts";
import { traitsOf } from "../protocol/kinds.ts";
import { laneSnapshot, SnapshotTables, type LaneColumns } from "./laneSnapshot.ts";
import {
  INTERVAL_HOLD,
  INTERVAL_WAIT,
  NONE,
  stateCode,
  type FindingSummary,
  type SourceLocation,
  type ThreadState,
  type ThreadsSnapshot,
  type Viewport,
  type WaitForEdge,
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
  /** Microseconds, over the holds that ended. */
  readonly averageHold: number;
  readonly longestHold: number;
  readonly created?: SourceLocation;
}

interface ThreadRecord extends LaneColumns {
  readonly ident: number;
  name: string;
  /** The lock it is blocked on (acquire-request without acquired), if any. */
  blockedOn: number | undefined;
  blockedSite: number;
  /** Lock id → index of its open hold interval. */
  readonly openHolds: Map<number, number>;
  /** Index of the open wait interval, or NONE. */
  openWait: number;
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
  holds: number;
  totalHold: number;
  longestHold: number;
}

export class TraceModel {
  readonly #threads = new Map<number, ThreadRecord>();
  readonly #objects = new Map<number, LockRecord>();
  readonly #sites = new Map<number, readonly Frame[]>();
  readonly #locations = new Map<number, SourceLocation | undefined>();
  #now = 0;
  #events = 0;

  /** @param cwd resolves relative frame paths (the program's working directory). */
  constructor(
    readonly title: string,
    private readonly cwd: string,
  ) {}

  get eventCount(): number {
    return this.#events;
  }

  addMeta(records: readonly MetaRecord[]): void {
    for (const m of records) {
      if (m.type === "thread") this.#thread(m.ident).name = m.name;
      else if (m.type === "site") {
        this.#sites.set(m.id, m.frames);
        this.#locations.delete(m.id);
      } else if (m.type === "object") {
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
    this.#events += events.length;
  }

  /** The source line of a site id, if recorded. */
  location(site: number): SourceLocation | undefined {
    if (site === 0) return undefined;
    if (this.#locations.has(site)) return this.#locations.get(site);
    const frame = this.#sites.get(site)?.[0];
    const location =
      frame === undefined
        ? undefined
        : { file: path.resolve(this.cwd, frame.file), line: frame.line, column: frame.column };
    this.#locations.set(site, location);
    return location;
  }

  objectName(id: number): string {
    return this.#objects.get(id)?.name ?? `#${id}`;
  }

  locks(): LockSummary[] {
    return [...this.#objects.values()]
      .filter((l) => traitsOf(l.kind).holdable)
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
          averageHold: l.holds === 0 ? 0 : l.totalHold / l.holds,
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
        const traits = traitsOf(lock.kind);
        if (owner !== t.ident || (!traits.reentrant && !traits.units)) {
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

  /**
   * What the Threads view draws for `viewport`: exact where a lane has at most about one
   * segment per pixel, aggregated per pixel of the viewport otherwise, so the message size
   * depends on the view's width and the thread count, not on the trace's length.
   */
  snapshot(
    status: string,
    viewport: Viewport,
    findings: readonly FindingSummary[] = [],
  ): ThreadsSnapshot {
    const end = viewport.end ?? Math.max(1, this.#now);
    const range = { start: viewport.start, end: Math.max(end, viewport.start + 1) };
    const tables = new SnapshotTables(
      (id) => this.objectName(id),
      (id) => this.location(id),
    );
    const width = Math.max(1, Math.floor(viewport.width));
    return {
      title: this.title,
      now: this.#now,
      status,
      range,
      lanes: [...this.#threads.values()].map((t) => ({
        ident: t.ident,
        name: t.name,
        ...laneSnapshot(t, this.#now, range, width, tables),
      })),
      edges: this.waitForEdges(),
      findings,
      names: tables.names,
      sites: tables.sites,
    };
  }

  #nameOf(ident: number): string {
    return this.#threads.get(ident)?.name ?? `thread ${ident}`;
  }

  #thread(ident: number): ThreadRecord {
    let t = this.#threads.get(ident);
    if (t === undefined) {
      t = {
        ident,
        name: `thread ${ident}`,
        segments: { start: [], state: [], object: [], site: [] },
        intervals: { kind: [], lock: [], start: [], end: [], site: [] },
        blockedOn: undefined,
        blockedSite: 0,
        openHolds: new Map(),
        openWait: NONE,
      };
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

  #enter(t: ThreadRecord, time: number, state: ThreadState, object = NONE, site = 0): void {
    const code = stateCode(state);
    const s = t.segments;
    const last = s.state.length - 1;
    if (last >= 0 && s.state[last] === code && object === NONE) return;
    s.start.push(Math.max(time, s.start[last] ?? 0));
    s.state.push(code);
    s.object.push(object);
    s.site.push(site === 0 ? NONE : site);
  }

  #openInterval(t: ThreadRecord, kind: number, lock: number, time: number, site: number): number {
    const iv = t.intervals;
    iv.kind.push(kind);
    iv.lock.push(lock);
    iv.start.push(time);
    iv.end.push(NONE);
    iv.site.push(site === 0 ? NONE : site);
    return iv.kind.length - 1;
  }

  #apply(e: TraceEvent): void {
    this.#now = Math.max(this.#now, e.time);
    const t = this.#thread(e.thread);
    switch (e.kind) {
      case "thread-start":
      case "join-end":
      case "wait-end":
        this.#enter(t, e.time, "running", NONE, e.site);
        break;
      case "thread-exit":
        this.#enter(t, e.time, "exited");
        break;
      case "join-begin":
        this.#enter(t, e.time, "joining", NONE, e.site);
        break;
      case "wait-begin":
        // Atomics.wait with a timeout on a word nobody notifies is how Node code sleeps.
        this.#enter(t, e.time, this.#isSleep(e) ? "sleeping" : "waiting", e.object, e.site);
        break;
      case "acquire-request":
        this.#unblock(t, t.blockedOn, e.time);
        t.blockedOn = e.object;
        t.blockedSite = e.site;
        t.openWait = this.#openInterval(t, INTERVAL_WAIT, e.object, e.time, e.site);
        this.#lock(e.object).waiters.add(t.ident);
        this.#enter(t, e.time, "blocked", e.object, e.site);
        break;
      case "acquire-timeout":
        this.#unblock(t, e.object, e.time);
        this.#enter(t, e.time, "running");
        break;
      case "acquired":
        this.#acquired(t, e);
        break;
      case "release":
        this.#released(t.ident, this.#lock(e.object), e.time);
        break;
      case "bad-release":
      case "clear":
      case "create":
      case "get":
      case "loop-idle":
      case "notify":
      case "over-release":
      case "pool-misuse":
      case "put":
      case "set":
      case "task-done":
        break;
    }
  }

  #isSleep(e: TraceEvent): boolean {
    const kind = this.#objects.get(e.object)?.kind;
    return e.flag && kind !== undefined && traitsOf(kind).waits === "atomics";
  }

  /** Ends `t`'s wait for `lock`; whether it was waiting for it. */
  #unblock(t: ThreadRecord, lock: number | undefined, time: number): boolean {
    if (lock === undefined) return false;
    const waited = t.blockedOn === lock;
    if (waited && t.openWait !== NONE) t.intervals.end[t.openWait] = time;
    if (waited) t.openWait = NONE;
    t.blockedOn = undefined;
    this.#lock(lock).waiters.delete(t.ident);
    return waited;
  }

  #acquired(t: ThreadRecord, e: TraceEvent): void {
    const lock = this.#lock(e.object);
    const waited = this.#unblock(t, e.object, e.time);
    if (waited) this.#enter(t, e.time, "running", NONE, e.site);
    lock.acquisitions++;
    if (waited) lock.contended++;
    const depth = lock.holders.get(t.ident) ?? 0;
    lock.holders.set(t.ident, depth + 1);
    if (depth === 0) {
      lock.heldSince.set(t.ident, e.time);
      t.openHolds.set(lock.id, this.#openInterval(t, INTERVAL_HOLD, lock.id, e.time, e.site));
    }
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
    lock.holds++;
    lock.totalHold += held;
    lock.longestHold = Math.max(lock.longestHold, held);
    const owner = this.#threads.get(holder);
    const open = owner?.openHolds.get(lock.id);
    if (owner !== undefined && open !== undefined) {
      owner.intervals.end[open] = time;
      owner.openHolds.delete(lock.id);
    }
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
    holds: 0,
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
