// The messages between the Threads webview (sidebar view or trace editor tab) and the extension:
// one discriminated union per direction, imported by both sides (the webview bundle and
// src/extension), so a message the other side does not understand is a type error, not a
// silent no-op. Lanes travel as columns of numbers with shared string and site tables: a
// snapshot of a long trace stays a few arrays, not a million objects.

/** A thread's state over an interval of the shared time axis. */
export type ThreadState = "running" | "blocked" | "waiting" | "sleeping" | "joining" | "exited";

/**
 * State codes: index + 1 in this list (0 is "no data"). Ordered by drawing priority: when
 * several states share a pixel the higher code wins, so a short block stays visible.
 */
export const THREAD_STATES: readonly ThreadState[] = [
  "exited",
  "running",
  "sleeping",
  "joining",
  "waiting",
  "blocked",
];

export function stateCode(state: ThreadState): number {
  return THREAD_STATES.indexOf(state) + 1;
}

/** No entry in `names` or `sites`; an interval that has not ended. */
export const NONE = -1;

export interface SourceLocation {
  /** Absolute path. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  readonly column: number;
}

/**
 * A lane's states, contiguous: segment i lasts from start[i] to start[i + 1] (the last one to
 * the lane's `until`). Start times ascend.
 */
export interface LaneSegments {
  /** Microseconds since the program started. */
  readonly start: number[];
  /** State codes (see THREAD_STATES). */
  readonly state: number[];
  /** What it waits for or is blocked on: index into the snapshot's `names`, or NONE. */
  readonly object: number[];
  /** Source of the event that began the segment: index into `sites`, or NONE. */
  readonly site: number[];
}

export const INTERVAL_HOLD = 0;
export const INTERVAL_WAIT = 1;

/** The times a thread held a lock (INTERVAL_HOLD) or waited to acquire it (INTERVAL_WAIT). */
export interface LaneIntervals {
  readonly kind: number[];
  /** Index into the snapshot's `names`. */
  readonly lock: number[];
  readonly start: number[];
  /** Exclusive end, or NONE while it lasts. */
  readonly end: number[];
  /** Where it was acquired or requested: index into `sites`, or NONE. */
  readonly site: number[];
}

export interface ThreadLane {
  readonly ident: number;
  readonly name: string;
  /**
   * The process the thread runs in (DESIGN 3.3): "main process" or "<name> (pid <pid>)".
   * Lanes come grouped per process, the program's own first.
   */
  readonly process: string;
  readonly segments: LaneSegments;
  /** The end of the last segment (µs). */
  readonly until: number;
  readonly intervals: LaneIntervals;
  /** Why it is where it is now, in a few words ("deadlocked on lockB"); "" once exited. */
  readonly reason: string;
  /** In a deadlock cycle now (the analysis' wait-for graph). */
  readonly inCycle: boolean;
}

export interface WaitForEdge {
  /** Waiting thread ident → owner thread ident, through `lock`. */
  readonly from: number;
  readonly to: number;
  readonly lock: string;
  readonly inCycle: boolean;
  /** Where `from` waits. */
  readonly site?: SourceLocation;
}

/** A finding as the webview lists it: its sites, each a link to the source. */
export interface FindingSummary {
  readonly kind: string;
  readonly message: string;
  readonly sites: readonly { readonly label: string; readonly location: SourceLocation }[];
}

/** A lock held (or waited for) longer than `lockTimeoutWarningMs`, as the view lists it. */
export interface LockWarningSummary {
  readonly id: string;
  readonly kind: "hold" | "wait";
  /** Still held (or waited for). */
  readonly active: boolean;
  /** "main has held config for 1.2 s, still held". */
  readonly label: string;
  /** "app.ts:12": where it was taken (or is awaited). */
  readonly where?: string;
  readonly location?: SourceLocation;
}

/** The time range and pixel width the webview draws: snapshots are detailed for it. */
export interface Viewport {
  /** µs. */
  readonly start: number;
  /** µs; `undefined` follows the latest event (a live session's axis grows). */
  readonly end: number | undefined;
  /** Canvas pixels of the time axis. */
  readonly width: number;
}

export interface ThreadsSnapshot {
  /** Title line: "session app.ts", "trace out.tltrace". */
  readonly title: string;
  /** Latest event time (µs): the right end of the axis. */
  readonly now: number;
  /** Description of the stop, e.g. the deadlock cycle, when the program is stopped. */
  readonly status: string;
  /**
   * The range the lanes are exact for, at the viewport's width. Lanes with more segments than
   * pixels are aggregated per pixel of this range by the extension; outside it they may be
   * absent until the webview asks for its new viewport.
   */
  readonly range: { readonly start: number; readonly end: number };
  readonly names: readonly string[];
  readonly sites: readonly SourceLocation[];
  readonly lanes: readonly ThreadLane[];
  readonly edges: readonly WaitForEdge[];
  readonly findings: readonly FindingSummary[];
  /** Live long-hold and long-wait warnings of the session (absent: none, or a trace file). */
  readonly warnings?: readonly LockWarningSummary[];
  /**
   * The part of the run worth opening on: the deadlock (from the first hold of its cycle to
   * now), else the most contended span; absent when nothing waited.
   */
  readonly focus?: { readonly start: number; readonly end: number };
}

/** Extension → webview. */
export type ToWebviewMessage =
  | { readonly type: "snapshot"; readonly snapshot: ThreadsSnapshot }
  | { readonly type: "clear" }
  /** The trace could not be read (e.g. "out.tltrace: line 12: unknown event kind"). */
  | { readonly type: "error"; readonly message: string };

/** Webview → extension. */
export type FromWebviewMessage =
  | { readonly type: "ready"; readonly viewport: Viewport }
  | { readonly type: "viewport"; readonly viewport: Viewport }
  | { readonly type: "openSource"; readonly location: SourceLocation }
  /** The empty state's actions. */
  | { readonly type: "command"; readonly command: "runCurrentFile" | "openTrace" };
