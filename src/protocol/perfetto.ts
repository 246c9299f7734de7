// Trace → Chrome trace event JSON (`threadlens export --perfetto`), which Perfetto
// (ui.perfetto.dev) and chrome://tracing open. Timestamps stay in microseconds, the format's unit.
//
// One track per logical thread (pid 1, tid = ident). On it:
//   "hold <lock>"   complete slice ("X", cat "lock") from acquired to the release that frees it
//                   (RLock re-entry deepens the same slice);
//   "wait <obj>"    complete slice (cat "wait") from acquire-request to acquired/acquire-timeout,
//                   and from wait-begin to wait-end;
//   "join <thread>" complete slice (cat "join") from join-begin to join-end;
//   instants        ("i", scope "t") for notify, set, clear and the misuses.
// Slices still open when the trace ends are closed at its last timestamp (args.unfinished).
//
// Hand-offs: a flow arrow "handoff <lock>" runs from the hold slice that a release ends to the
// hold slice of the next acquired of that lock, when another thread takes it. Flow events use
// the v1 form ("s" then "f" with "bp": "e", same id, cat and name), bound by timestamp to the
// slice they sit on: Perfetto binds each to the slice open on that track at its ts, and
// Chrome's viewers to the slice of the same cat, tid and ts. So the "s" sits at the start of
// the releasing slice's last piece (see below) and the "f" at the start of the acquiring slice.
//
// Thread tracks must nest strictly, but locks need not be released in the reverse order they
// were taken (take A, take B, release A). A slice that would cross its parent's end is cut
// there and continues after it as a second piece of the same name (args.continued).
import type { Trace, TraceEvent } from "./events.ts";
import { EVENT_TRAITS } from "./kinds.ts";
import { unreachable } from "./unreachable.ts";

export type ArgValue = string | number | boolean;

export interface ChromeTraceEvent {
  name: string;
  ph: "M" | "X" | "i" | "s" | "f";
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  /** Flow id ("s"/"f"). */
  id?: number;
  /** Flow end binding: "e" = the enclosing slice. */
  bp?: "e";
  /** Instant scope: "t" = the thread's track. */
  s?: "t";
  args?: Record<string, ArgValue>;
}

export interface PerfettoTrace {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: "ms";
}

export const PID = 1;

interface Slice {
  readonly seq: number;
  readonly tid: number;
  readonly name: string;
  readonly cat: "lock" | "wait" | "join";
  readonly start: number;
  end: number;
  readonly args: Record<string, ArgValue>;
  /** Hold depth (RLock re-entry, a semaphore taken twice by one thread). */
  depth: number;
}

interface Flow {
  readonly id: number;
  readonly name: string;
  readonly from: Slice;
  readonly to: Slice;
}

/** Pairs begin/end events into slices, links hand-offs, and collects instants. */
class SliceBuilder {
  readonly slices: Slice[] = [];
  readonly flows: Flow[] = [];
  readonly instants: ChromeTraceEvent[] = [];
  // Open slices by `${thread}:${object}`, one map per kind of pairing.
  private readonly holds = new Map<string, Slice>();
  private readonly acquires = new Map<string, Slice>();
  private readonly waits = new Map<string, Slice>();
  private readonly joins = new Map<string, Slice>();
  /** Per lock, the hold slice its last release ended (cleared by the next acquired). */
  private readonly released = new Map<number, Slice>();

  constructor(
    private readonly objectName: (id: number) => string,
    private readonly threadName: (ident: number) => string,
  ) {}

  private open(
    map: Map<string, Slice>,
    e: TraceEvent,
    cat: Slice["cat"],
    name: string,
    args: Record<string, ArgValue>,
  ): Slice {
    const key = `${e.thread}:${e.object}`;
    const existing = map.get(key);
    if (existing) return existing; // a repeated begin (e.g. a re-recorded request) extends it
    const seq = this.slices.length;
    const slice: Slice = { seq, tid: e.thread, name, cat, start: e.time, end: NaN, args, depth: 0 };
    this.slices.push(slice);
    map.set(key, slice);
    return slice;
  }

  private close(map: Map<string, Slice>, e: TraceEvent, args: Record<string, ArgValue> = {}) {
    const key = `${e.thread}:${e.object}`;
    const slice = map.get(key);
    if (slice === undefined) return undefined;
    map.delete(key);
    slice.end = e.time;
    Object.assign(slice.args, args);
    return slice;
  }

  add(e: TraceEvent): void {
    const obj = this.objectName(e.object);
    const args = { object: e.object };
    switch (e.kind) {
      case "acquire-request":
        this.open(this.acquires, e, "wait", `wait ${obj}`, args);
        break;
      case "acquire-timeout":
        this.close(this.acquires, e, { timedOut: true });
        break;
      case "acquired": {
        this.close(this.acquires, e);
        const hold = this.open(this.holds, e, "lock", `hold ${obj}`, args);
        hold.depth++;
        const from = this.released.get(e.object);
        this.released.delete(e.object);
        if (hold.depth === 1 && from !== undefined && from.tid !== e.thread) {
          this.flows.push({ id: this.flows.length + 1, name: `handoff ${obj}`, from, to: hold });
        }
        break;
      }
      case "release": {
        const hold = this.holds.get(`${e.thread}:${e.object}`);
        if (hold !== undefined && --hold.depth === 0) {
          this.close(this.holds, e);
          this.released.set(e.object, hold);
        }
        break;
      }
      case "wait-begin":
        this.open(
          this.waits,
          e,
          "wait",
          `wait ${obj}`,
          e.reason ? { ...args, reason: e.reason } : args,
        );
        break;
      case "wait-end":
        this.close(this.waits, e, { woken: e.flag });
        break;
      case "join-begin":
        this.open(this.joins, e, "join", `join ${this.threadName(e.object)}`, { thread: e.object });
        break;
      case "join-end":
        this.close(this.joins, e, { ended: e.flag });
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
      case "thread-exit":
      case "thread-start": {
        const traits = EVENT_TRAITS[e.kind];
        if (!traits.instant) break;
        // A mark on the thread that did it, named by what it was done to (a worker it ends).
        const onThread = traits.object === "thread";
        this.instants.push({
          name: `${e.kind} ${onThread ? this.threadName(e.object) : obj}`,
          cat: traits.misuse ? "misuse" : "sync",
          ph: "i",
          s: "t",
          pid: PID,
          tid: e.thread,
          ts: e.time,
          args: onThread ? { thread: e.object } : args,
        });
        break;
      }
      default:
        unreachable(e);
    }
  }

  /** Closes what is still open at `end`, the trace's last timestamp. */
  finish(end: number): void {
    for (const s of this.slices) {
      if (Number.isNaN(s.end)) {
        s.end = end;
        s.args["unfinished"] = true;
      }
    }
  }
}

interface Piece {
  readonly slice: Slice;
  readonly start: number;
  readonly end: number;
}

/** Orders pieces as a nesting walk needs them: by start, longest first, then creation order. */
function before(a: Piece, b: Piece): boolean {
  if (a.start !== b.start) return a.start < b.start;
  if (a.end !== b.end) return a.end > b.end;
  return a.slice.seq < b.slice.seq;
}

/**
 * One thread's slices as strictly nested pieces, in start order. A piece crossing the end of the
 * piece it starts in is cut there; its remainder goes back into the (sorted) queue.
 */
function nest(slices: readonly Slice[]): Piece[] {
  // Sorted so that pop() yields the next piece: the queue is kept in reverse order.
  const queue: Piece[] = slices.map((slice) => ({ slice, start: slice.start, end: slice.end }));
  queue.sort((a, b) => (before(a, b) ? 1 : before(b, a) ? -1 : 0));
  const out: Piece[] = [];
  const stack: Piece[] = [];
  for (let p = queue.pop(); p !== undefined; p = queue.pop()) {
    while (stack.length > 0 && stack[stack.length - 1]!.end <= p.start) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent !== undefined && p.end > parent.end) {
      const rest: Piece = { slice: p.slice, start: parent.end, end: p.end };
      let lo = 0;
      let hi = queue.length; // binary search for rest's place in the reversed order
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (before(queue[mid]!, rest)) hi = mid;
        else lo = mid + 1;
      }
      queue.splice(lo, 0, rest);
      p = { slice: p.slice, start: p.start, end: parent.end };
    }
    out.push(p);
    stack.push(p);
  }
  return out;
}

/** Converts a trace to Chrome trace event JSON (an object; JSON.stringify it to write). */
export function toPerfetto(trace: Trace): PerfettoTrace {
  const threadNames = new Map<number, string>();
  const objectNames = new Map<number, string>();
  // Threads of child processes are tracks of their own process (Perfetto pid = the OS pid),
  // named after the process's main thread.
  const threadPids = new Map<number, number>();
  const processNames = new Map<number, string>();
  for (const m of trace.meta) {
    if (m.type === "thread") {
      threadNames.set(m.ident, m.name);
      if (m.pid !== undefined) {
        threadPids.set(m.ident, m.pid);
        if (m.kind === "main" || !processNames.has(m.pid)) processNames.set(m.pid, m.name);
      }
    } else if (m.type === "object") objectNames.set(m.id, m.name);
  }
  const threadName = (ident: number): string => threadNames.get(ident) ?? `thread ${ident}`;
  const builder = new SliceBuilder((id) => objectNames.get(id) ?? `#${id}`, threadName);
  // Events come in per-thread order; hand-offs between threads need one global time order.
  // The sort is stable, so each thread's own order survives equal timestamps.
  const events = [...trace.events].sort((a, b) => a.time - b.time);
  for (const e of events) builder.add(e);
  builder.finish(events.length > 0 ? events[events.length - 1]!.time : 0);

  const tids = new Set<number>(threadNames.keys());
  for (const e of events) tids.add(e.thread);
  const out: ChromeTraceEvent[] = [
    { name: "process_name", ph: "M", pid: PID, tid: 0, args: { name: "threadlens" } },
  ];
  for (const tid of [...tids].sort((a, b) => a - b)) {
    out.push({ name: "thread_name", ph: "M", pid: PID, tid, args: { name: threadName(tid) } });
    out.push({ name: "thread_sort_index", ph: "M", pid: PID, tid, args: { sort_index: tid } });
  }

  const byThread = new Map<number, Slice[]>();
  for (const s of builder.slices) {
    const list = byThread.get(s.tid) ?? [];
    list.push(s);
    byThread.set(s.tid, list);
  }
  const flowsOut = new Map<Slice, Flow[]>();
  const flowsIn = new Map<Slice, Flow[]>();
  for (const f of builder.flows) {
    flowsOut.set(f.from, [...(flowsOut.get(f.from) ?? []), f]);
    flowsIn.set(f.to, [...(flowsIn.get(f.to) ?? []), f]);
  }
  for (const tid of [...byThread.keys()].sort((a, b) => a - b)) {
    for (const p of nest(byThread.get(tid)!)) {
      const { slice } = p;
      const first = p.start === slice.start;
      const last = p.end === slice.end;
      const args = first ? slice.args : { ...slice.args, continued: true };
      const dur = p.end - p.start;
      out.push({
        name: slice.name,
        cat: slice.cat,
        ph: "X",
        pid: PID,
        tid,
        ts: p.start,
        dur,
        args,
      });
      const flow = (f: Flow, ph: "s" | "f"): ChromeTraceEvent => ({
        name: f.name,
        cat: "lock",
        ph,
        id: f.id,
        pid: PID,
        tid,
        ts: p.start,
        ...(ph === "f" ? { bp: "e" as const } : {}),
      });
      if (first) for (const f of flowsIn.get(slice) ?? []) out.push(flow(f, "f"));
      if (last) for (const f of flowsOut.get(slice) ?? []) out.push(flow(f, "s"));
    }
  }
  out.push(...builder.instants);
  if (threadPids.size > 0) {
    for (const e of out) if (e.tid !== 0) e.pid = threadPids.get(e.tid) ?? PID;
    for (const [pid, name] of processNames) {
      out.splice(1, 0, { name: "process_name", ph: "M", pid, tid: 0, args: { name } });
    }
  }
  return { traceEvents: out, displayTimeUnit: "ms" };
}
