// How the preload (main thread) and the recorder thread coordinate, and what the recorder
// tells a supervising process (the CLI, the debug adapter) on its output file descriptor.
import type { MetaRecord, TraceEvent } from "./events.ts";
import type { Finding, Report } from "./report.ts";

/** Environment variables the CLI and the adapter set for the program's process. */
export const ENV_OUTPUT_FD = "THREADLENS_OUTPUT_FD"; // fd to write RecorderOutput JSON lines to
export const ENV_TRACE_FILE = "THREADLENS_TRACE"; // path of a .tltrace file to write
export const ENV_TIMEOUT_MS = "THREADLENS_TIMEOUT_MS"; // stop as a hang after this wall time
export const ENV_PROGRAM = "THREADLENS_PROGRAM"; // the program as the user named it (for the report)
export const ENV_STREAM = "THREADLENS_STREAM"; // "1": also stream dictionary records and events
export const ENV_CONTROL_FD = "THREADLENS_CONTROL_FD"; // fd the recorder reads ControlCommand lines from
// The program's TypeScript entry when the supervisor started it on that entry compiled ahead
// (launch/compiledEntry.ts): the preload makes it process.argv[1] again before the program runs.
export const ENV_MAIN_ENTRY = "THREADLENS_MAIN_ENTRY";

/** Environment data key (worker_threads) of the pause word every thread checks. */
export const PAUSE_DATA_KEY = "threadlens:pause";
/** Pause word (Int32 at index 0): 0 running; otherwise the generation of the pause in force. */
export const PAUSE_WORD = 0;

/** What a supervisor (the debug adapter) tells the recorder, one JSON object a line. */
export type ControlCommand = { readonly command: "pause" } | { readonly command: "continue" };

/** A thread that stopped at a synchronization point because of a pause, and where. */
export interface ParkedThread {
  readonly thread: number;
  /** Call-site id (a dictionary site record) of the operation it stopped before. */
  readonly site: number;
}

/** Control words (Int32) shared by the main thread and the recorder. */
export const CONTROL_FLUSH_REQUEST = 0; // main sets 1 at exit (with the exit code in word 2)
export const CONTROL_FLUSH_DONE = 1; // the recorder sets 1 once everything is written
/** CONTROL_FLUSH_DONE's value when the final report holds a deadlock or hang: exit code 2. */
export const FLUSH_DONE_BLOCKED = 2;
export const CONTROL_EXIT_CODE = 2;
/** The recorder sets exit code + 1 to end the program (no supervisor, after a deadlock). */
export const CONTROL_STOP = 3;
/**
 * A thread asks the recorder to pass on everything recorded so far (bumps the request, waits
 * until done reaches it): a child process does before it signals another process through a
 * shared primitive, so that what it did first reaches the run even if it is killed right after.
 */
export const CONTROL_DRAIN_REQUEST = 4;
export const CONTROL_DRAIN_DONE = 5;
/**
 * The recorder sets 1 once it listens (its channel, and the socket of child processes), or
 * once it failed. The program does not wait for it: the main thread's messages queue on its
 * own port meanwhile; a worker that starts earlier, a ring that fills up and a drain request
 * wait for this word (recording.ts).
 */
export const CONTROL_READY = 6;
export const CONTROL_WORDS = 7;
/** Environment data key (worker_threads) of the control words. */
export const CONTROL_DATA_KEY = "threadlens:control";

/** Clock buffer: int32 µs since the epoch at byte 0; float64 epoch (ms, timeOrigin-based) at byte 8. */
export const CLOCK_BYTES = 16;
/**
 * The coarse clock's word (int32 index): µs since the epoch, kept by the recorder thread every
 * millisecond; 0 while the recorder starts, and while the clock rests (recorder/pacing.ts):
 * readers then take the precise clock.
 */
export const CLOCK_NOW = 0;
/** Set by a reader that found the clock resting where it needs the time: run it again. */
export const CLOCK_WANTED = 1;

export type RecorderOutput =
  /** With THREADLENS_STREAM=1: a dictionary record (thread, object, site) as it arrives. */
  | { readonly type: "meta"; readonly record: MetaRecord }
  /** With THREADLENS_STREAM=1: the events of one drain, merged across threads by time. */
  | { readonly type: "events"; readonly events: readonly TraceEvent[] }
  /** A finding as soon as it is known (non-blocking ones may still change the exit code). */
  | { readonly type: "finding"; readonly finding: Finding }
  /** The program is blocked (deadlock, hang, timeout): the supervisor should stop it now. */
  | { readonly type: "blocked"; readonly report: Report }
  /**
   * threadlens itself failed (the recorder crashed, the trace cannot be written). `fatal`: the
   * program is stopped because of it (the supervisor ends it, exit 3); otherwise the
   * recording goes on without what failed, and the run ends with exit 3.
   */
  | { readonly type: "failure"; readonly message: string; readonly fatal: boolean }
  /** The program ended normally: the full report. */
  | { readonly type: "report"; readonly report: Report }
  /**
   * After a "pause" command: every live thread is parked at a synchronization point or blocked
   * (or the settle time passed and `running` names those still going).
   */
  | {
      readonly type: "paused";
      readonly parked: readonly ParkedThread[];
      readonly running: readonly string[];
    };
