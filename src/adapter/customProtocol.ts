// The adapter's custom DAP messages for the extension's views (Threads, Locks, diagnostics):
// the live event stream and the findings as custom events, and the whole trace so far as a
// custom request. Names and bodies here are what the extension relies on.
import type { MetaRecord, TraceEvent } from "../protocol/events.ts";
import type { Finding } from "../protocol/report.ts";

/** Event: dictionary records and events recorded since the previous one (batched). */
export const EVENT_STREAM = "threadlens/event";
/** Event: findings as the recorder reports them. */
export const EVENT_FINDING = "threadlens/finding";
/** Event: a lock held or waited for longer than `lockTimeoutWarningMs` (lockWarnings.ts). */
export const EVENT_WARNING = "threadlens/warning";
/** Request: the whole trace so far. */
export const REQUEST_TRACE = "threadlens/trace";

export interface StreamEventBody {
  readonly meta: readonly MetaRecord[];
  readonly events: readonly TraceEvent[];
}

export interface FindingEventBody {
  readonly findings: readonly Finding[];
  /** The program is blocked (deadlock, self-deadlock, hang) and stays so until it is ended. */
  readonly blocked: boolean;
  /** Finding paths are relative to this directory (the program's working directory). */
  readonly cwd: string;
}

export interface LockWarningBody {
  /** Stable per hold or wait: later events with the same id update it. */
  readonly id: string;
  readonly kind: "hold" | "wait";
  readonly thread: string;
  readonly lock: string;
  /** Where the lock was taken (hold) or is awaited (wait): absolute file, 1-based. */
  readonly site?: { readonly file: string; readonly line: number; readonly column: number };
  readonly durationMs: number;
  /** Still held (or waited for); false once it ended. */
  readonly active: boolean;
  /** The Debug Console's line for it. */
  readonly text: string;
}

export interface TraceResponseBody extends StreamEventBody {
  /** Oldest events left out to bound the adapter's memory (0 for most programs). */
  readonly omittedEvents: number;
}

/** How often the live stream is sent: often enough to look live, rarely enough to be cheap. */
export const STREAM_INTERVAL_MS = 100;

/** Collects stream records and sends them as one event per interval. */
export class StreamBatcher {
  #meta: MetaRecord[] = [];
  #events: TraceEvent[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly send: (body: StreamEventBody) => void) {}

  addMeta(record: MetaRecord): void {
    this.#meta.push(record);
    this.#schedule();
  }

  addEvents(events: readonly TraceEvent[]): void {
    this.#events.push(...events);
    this.#schedule();
  }

  /** Sends what is pending now (before a stop or the end, so views are complete then). */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#meta.length === 0 && this.#events.length === 0) return;
    const body = { meta: this.#meta, events: this.#events };
    this.#meta = [];
    this.#events = [];
    this.send(body);
  }

  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    this.#timer ??= setTimeout(() => this.flush(), STREAM_INTERVAL_MS);
  }
}
