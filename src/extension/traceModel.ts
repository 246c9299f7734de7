// What the Threads and Locks views show, computed from the recorder's dictionary and events
// (the adapter's live stream, or a .tltrace file): per thread its state over time and its lock
// hold and wait intervals (drawn here), and, from the analysis' own RunState, wait-for graph
// and lock statistics (never recomputed here), per lock its holders, waiters and figures, the
// wait-for edges with the deadlock cycle and each thread's reason. Pure (no vscode), so the
// unit tests and the bench drive it with plain traces.
// Lanes are stored as columns of numbers (a million events stay a few arrays); snapshots are
// bounded by the viewport's pixels (laneSnapshot.ts).
import path from "node:path";
import { Dictionary } from "../analysis/dictionary.ts";
import { mergeByHost } from "../analysis/eventOrder.ts";
import { LockStatsCollector } from "../analysis/lockStats.ts";
import { groupByProcess, processNames, processOf } from "../analysis/processes.ts";
import { RunState } from "../analysis/runState.ts";
import { blockingTarget, threadReasons, type ThreadReason } from "../analysis/threadReasons.ts";
import { findActualDeadlocks, waitTargets } from "../analysis/waitForGraph.ts";
import type { Frame, MetaRecord, ObjectKind, Trace, TraceEvent } from "../protocol/events.ts";
import type { LockStats } from "../protocol/report.ts";
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
import { unreachable } from "../protocol/unreachable.ts";

/** A lock in the Locks view: the analysis' figures (lockStats.ts), its id and creation site. */
export interface LockSummary extends LockStats {
  readonly id: number;
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

/** What the lanes need of a primitive; who holds and waits for it is the analysis' state. */
interface LockRecord {
  id: number;
  name: string;
  kind: ObjectKind;
  site: number;
  /** Holder ident → recursion depth, to close the holder's hold interval on the last release. */
  holders: Map<number, number>;
}

export class TraceModel {
  readonly #threads = new Map<number, ThreadRecord>();
  readonly #objects = new Map<number, LockRecord>();
  readonly #sites = new Map<number, readonly Frame[]>();
  readonly #locations = new Map<number, SourceLocation | undefined>();
  /** The analysis' own state of the run: holders, waiters, the wait-for graph and its cycles. */
  readonly #dict = new Dictionary();
  readonly #state = new RunState(this.#dict);
  readonly #stats = new LockStatsCollector();
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
      this.#dict.add(m);
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
    for (const e of events) {
      this.#state.apply(e);
      this.#stats.observe(e);
      this.#apply(e);
    }
    this.#events += events.length;
  }

  /** A whole recording (a trace file), in the order the analysis reads it. */
  addTrace(trace: Trace): void {
    this.addMeta(trace.meta);
    this.addEvents(mergeByHost(trace.events, this.#dict));
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

  /** Every lock and semaphore taken or waited for, with the analysis' figures. */
  locks(): LockSummary[] {
    const stats = new Map(this.#stats.statsById(this.#dict));
    return [...stats].map(([id, figures]) => {
      const created = this.location(this.#objects.get(id)?.site ?? 0);
      const summary: LockSummary = { id, ...figures, ...this.#holdersAndWaiters(id) };
      return created === undefined ? summary : { ...summary, created };
    });
  }

  /** Who holds and who waits for a lock now, as the analysis' run state says. */
  #holdersAndWaiters(id: number): Pick<LockStats, "holders" | "waiters"> {
    const holders = (this.#state.objects.get(id)?.holds ?? []).map((h) =>
      this.#dict.threadName(h.thread),
    );
    const waiters = this.#state
      .liveThreads()
      .filter((t) => t.blocking?.kind === "acquire" && t.blocking.object === id)
      .map((t) => this.#dict.threadName(t.ident));
    return { holders: [...new Set(holders)], waiters };
  }

  /** The analysis' wait-for graph now: who waits for whom, through what; its cycles marked. */
  waitForEdges(): WaitForEdge[] {
    const state = this.#state;
    const deadlocked = new Set(findActualDeadlocks(state).cycles.flatMap((c) => c.members));
    const edges: WaitForEdge[] = [];
    for (const thread of state.liveThreads().sort((a, b) => a.ident - b.ident)) {
      const blocking = thread.blocking;
      const targets = waitTargets(state, thread);
      if (blocking === undefined || targets === undefined) continue;
      // A join's target is the thread at the arrow's head: naming it on the arrow too showed
      // it twice in the graph, so the arrow says what the wait is.
      const lock = blocking.kind === "join" ? "join" : blockingTarget(state, blocking);
      const site = this.location(blocking.site);
      for (const to of targets) {
        const inCycle = deadlocked.has(thread.ident) && deadlocked.has(to);
        const edge = { from: thread.ident, to, lock, inCycle };
        edges.push(site === undefined ? edge : { ...edge, site });
      }
    }
    return edges;
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
    const reasons = new Map(threadReasons(this.#state).map((r) => [r.ident, r]));
    return {
      title: this.title,
      now: this.#now,
      status,
      range,
      lanes: this.#lanesByProcess().map(([t, process]) => ({
        ident: t.ident,
        name: t.name,
        process,
        ...laneSnapshot(t, this.#now, range, width, tables),
        reason: reasons.get(t.ident)?.text ?? "",
        inCycle: reasons.get(t.ident)?.role === "cycle",
      })),
      edges: this.waitForEdges(),
      findings,
      ...this.#focus(reasons),
      names: tables.names,
      sites: tables.sites,
    };
  }

  /** The lanes with their process's label, each process's lanes together (the root's first). */
  #lanesByProcess(): [ThreadRecord, string][] {
    const names = processNames(this.#dict.threads());
    const lanes = [...this.#threads.values()].map(
      (t): [ThreadRecord, string, number | undefined] => {
        const { pid, label } = processOf(this.#dict.thread(t.ident)?.pid, names);
        return [t, label, pid];
      },
    );
    return groupByProcess(lanes, (lane) => lane[2]).map(([t, label]) => [t, label]);
  }

  /** The deadlock's span, else the most contended one (snapshot.focus). */
  #focus(reasons: ReadonlyMap<number, ThreadReason>): Pick<ThreadsSnapshot, "focus"> {
    let start = Infinity;
    for (const r of reasons.values()) {
      if (r.role !== "cycle") continue;
      const status = this.#state.threads.get(r.ident);
      for (const hold of status?.held.values() ?? []) start = Math.min(start, hold.since);
      start = Math.min(start, status?.blocking?.since ?? Infinity);
    }
    if (start < Infinity) return { focus: paddedSpan(start, this.#now) };
    const span = mostContended([...this.#threads.values()], this.#now);
    return span === undefined ? {} : { focus: span };
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
      case "terminate":
        break;
      default:
        unreachable(e);
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
    return waited;
  }

  #acquired(t: ThreadRecord, e: TraceEvent): void {
    const lock = this.#lock(e.object);
    const waited = this.#unblock(t, e.object, e.time);
    if (waited) this.#enter(t, e.time, "running", NONE, e.site);
    const depth = lock.holders.get(t.ident) ?? 0;
    lock.holders.set(t.ident, depth + 1);
    if (depth === 0) {
      t.openHolds.set(lock.id, this.#openInterval(t, INTERVAL_HOLD, lock.id, e.time, e.site));
    }
  }

  /** Closes the hold interval a release ends (the figures are the analysis' business). */
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
    const owner = this.#threads.get(holder);
    const open = owner?.openHolds.get(lock.id);
    if (owner !== undefined && open !== undefined) {
      owner.intervals.end[open] = time;
      owner.openHolds.delete(lock.id);
    }
  }
}

/** [start, end] with room on the left (a tenth of it) so what led there shows too. */
function paddedSpan(start: number, end: number): { start: number; end: number } {
  const length = Math.max(1, end - start);
  return { start: Math.max(0, start - length / 10), end: end + length / 50 };
}

const CONTENTION_BUCKETS = 40;

/**
 * The stretch of the run where threads waited for locks the most: the run cut into buckets,
 * the one with the most wait time and its busy neighbours, with a bucket of margin on each
 * side; undefined when none waited.
 */
function mostContended(
  threads: readonly ThreadRecord[],
  now: number,
): { start: number; end: number } | undefined {
  if (now <= 0) return undefined;
  const size = now / CONTENTION_BUCKETS;
  const waited = new Float64Array(CONTENTION_BUCKETS);
  for (const t of threads) {
    const iv = t.intervals;
    for (let i = 0; i < iv.kind.length; i++) {
      if (iv.kind[i] !== INTERVAL_WAIT) continue;
      const from = iv.start[i] ?? 0;
      const end = iv.end[i] ?? NONE;
      const to = end === NONE ? now : end;
      for (let b = Math.floor(from / size); b * size < to && b < CONTENTION_BUCKETS; b++) {
        waited[b] = (waited[b] ?? 0) + Math.min(to, (b + 1) * size) - Math.max(from, b * size);
      }
    }
  }
  let best = 0;
  for (let b = 1; b < CONTENTION_BUCKETS; b++) if ((waited[b] ?? 0) > (waited[best] ?? 0)) best = b;
  const peak = waited[best] ?? 0;
  if (peak <= 0) return undefined;
  // Grow over the neighbours that are at least half as busy, then one bucket of margin.
  let first = best;
  let last = best;
  while (first > 0 && (waited[first - 1] ?? 0) >= peak / 2) first--;
  while (last < CONTENTION_BUCKETS - 1 && (waited[last + 1] ?? 0) >= peak / 2) last++;
  return { start: Math.max(0, (first - 1) * size), end: Math.min(now, (last + 2) * size) };
}

function newLock(id: number, name: string, kind: ObjectKind, site: number): LockRecord {
  return { id, name, kind, site, holders: new Map() };
}
