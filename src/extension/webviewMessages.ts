// The messages between the Threads webview and the extension: one discriminated union per
// direction, imported by both sides (the webview bundle and src/extension), so a message the
// other side does not understand is a type error, not a silent no-op.

/** A thread's state over an interval of the shared time axis. */
export type ThreadState = "running" | "blocked" | "waiting" | "sleeping" | "joining" | "exited";

export interface TimelineSegment {
  /** Microseconds since the program started. */
  readonly start: number;
  /** Exclusive; `undefined` while the state lasts. */
  readonly end: number | undefined;
  readonly state: ThreadState;
  /** What it waits for or holds ("lockA"), when it is about an object. */
  readonly object?: string;
  /** Source of the event that began the segment, when known. */
  readonly site?: SourceLocation;
}

export interface SourceLocation {
  /** Absolute path. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  readonly column: number;
}

export interface ThreadLane {
  readonly ident: number;
  readonly name: string;
  readonly segments: readonly TimelineSegment[];
}

export interface WaitForEdge {
  /** Waiting thread ident → owner thread ident, through `lock`. */
  readonly from: number;
  readonly to: number;
  readonly lock: string;
  readonly inCycle: boolean;
  readonly site?: SourceLocation;
}

export interface ThreadsSnapshot {
  /** Title line: "session app.ts", "trace out.tltrace". */
  readonly title: string;
  readonly lanes: readonly ThreadLane[];
  readonly edges: readonly WaitForEdge[];
  /** Latest event time (µs): the right end of the axis. */
  readonly now: number;
  /** Description of the stop, e.g. the deadlock cycle, when the program is stopped. */
  readonly status: string;
}

/** Extension → webview. */
export type ToWebviewMessage =
  { readonly type: "snapshot"; readonly snapshot: ThreadsSnapshot } | { readonly type: "clear" };

/** Webview → extension. */
export type FromWebviewMessage =
  { readonly type: "ready" } | { readonly type: "openSource"; readonly location: SourceLocation };
