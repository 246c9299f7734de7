// Synthetic traces for the analysis tests: threads, primitives, call sites and events, with
// times that advance 10 µs per event unless set.
import type {
  EventKind,
  MetaRecord,
  ObjectKind,
  ThreadKind,
  Trace,
  TraceEvent,
  WaitReason,
} from "../../../src/protocol/events.ts";
import { LOOP_BLOCKED, makeEvent } from "../../../src/protocol/events.ts";

export const CWD = "/proj";
export const APP = "/proj/src/app.ts";

export interface ThreadOptions {
  readonly kind?: ThreadKind;
  readonly parent?: number;
  readonly daemon?: boolean;
  /** Emit thread-start now (default true). */
  readonly start?: boolean;
  /** A thread of a child process (DESIGN 3.3): that process's OS pid. */
  readonly pid?: number;
}

export interface SiteOptions {
  readonly file?: string;
  readonly column?: number;
  readonly fn?: string;
}

export interface EventOptions {
  readonly site?: number;
  readonly flag?: boolean;
  readonly reason?: WaitReason;
}

export class TraceBuilder {
  readonly meta: MetaRecord[] = [];
  readonly events: TraceEvent[] = [];
  time = 0;
  #nextThread = 1;
  #nextId = 1000;

  thread(name: string, options: ThreadOptions = {}): number {
    const ident = this.#nextThread++;
    const kind = options.kind ?? (name === "main" ? "main" : "worker");
    const parent = options.parent ?? 0;
    const daemon = options.daemon ?? false;
    const pid = options.pid === undefined ? {} : { pid: options.pid };
    this.meta.push({ type: "thread", ident, name, kind, parent, daemon, ...pid });
    if (options.start !== false) this.event("thread-start", ident, parent);
    return ident;
  }

  /** A worker started by `parent`. */
  worker(name: string, parent: number, options: ThreadOptions = {}): number {
    return this.thread(name, { kind: "worker", parent, ...options });
  }

  object(
    kind: ObjectKind,
    name: string,
    options: { capacity?: number; site?: number } = {},
  ): number {
    const id = this.#nextId++;
    this.meta.push({
      type: "object",
      id,
      kind,
      name,
      site: options.site ?? 0,
      capacity: options.capacity ?? 0,
    });
    return id;
  }

  lock(name: string, site = 0): number {
    return this.object("Lock", name, { site });
  }

  site(line: number, options: SiteOptions = {}): number {
    const id = this.#nextId++;
    this.meta.push({
      type: "site",
      id,
      frames: [
        {
          file: options.file ?? APP,
          line,
          column: options.column ?? 5,
          function: options.fn ?? "main",
        },
      ],
    });
    return id;
  }

  event(kind: EventKind, thread: number, object: number, options: EventOptions = {}): this {
    this.time += 10;
    const { site = 0, flag = false, reason } = options;
    const event = makeEvent(kind, thread, object, site, this.time, flag, reason);
    if (event === undefined) throw new Error(`a ${kind} has no wait reason`);
    this.events.push(event);
    return this;
  }

  /** An uncontended take. */
  acquired(thread: number, lock: number, site = 0): this {
    return this.event("acquired", thread, lock, { site });
  }

  /** A take that must wait (flag = has timeout). */
  request(thread: number, lock: number, site = 0, timed = false): this {
    return this.event("acquire-request", thread, lock, { site, flag: timed });
  }

  release(thread: number, lock: number): this {
    return this.event("release", thread, lock);
  }

  joinBegin(thread: number, target: number, site = 0, timed = false): this {
    return this.event("join-begin", thread, target, { site, flag: timed });
  }

  joinEnd(thread: number, target: number, ended = true): this {
    return this.event("join-end", thread, target, { flag: ended });
  }

  /** join-begin + join-end. */
  join(thread: number, target: number, site = 0): this {
    return this.joinBegin(thread, target, site).joinEnd(thread, target, true);
  }

  waitBegin(thread: number, object: number, reason: WaitReason, site = 0, timed = false): this {
    return this.event("wait-begin", thread, object, { site, flag: timed, reason });
  }

  waitEnd(thread: number, object: number, woken = true): this {
    return this.event("wait-end", thread, object, { flag: woken });
  }

  exit(thread: number, code = 0): this {
    return this.event("thread-exit", thread, code);
  }

  idle(thread: number, idle = true): this {
    return this.event("loop-idle", thread, 0, { flag: idle });
  }

  /** The thread blocks in a Sync call (Atomics.wait), as the runtime says right after a begin. */
  blocked(thread: number, blocked = true): this {
    return this.event("loop-idle", thread, LOOP_BLOCKED, { flag: blocked });
  }

  build(): Trace {
    return { meta: [...this.meta], events: [...this.events] };
  }
}
