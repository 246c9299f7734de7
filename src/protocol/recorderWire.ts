// What program threads tell the recorder thread (over a BroadcastChannel), and the layout of
// the event rings they share with it. One place for both sides.
import type { MetaRecord } from "./events.ts";
import type { ParkedThread } from "./recorderControl.ts";

export const RECORDER_CHANNEL = "threadlens:recorder";
/** The recorder asks the main thread to exit (`{ exitCode }`) after a blocking finding. */
export const STOP_CHANNEL = "threadlens:stop";

/**
 * workerData fields that mark threadlens' own threads, which the instrumented Worker leaves
 * alone: the recorder thread, and the helpers of the processes feature (a role's name).
 */
export const RECORDER_WORKER_MARK = "__threadlens_recorder__";
/**
 * Where the preload leaves, for the main thread's runtime, the port its messages to the
 * recorder go through (the recorder holds the other end from its start: what main posts before
 * the recorder listens waits in the port, where a BroadcastChannel would drop it).
 */
export const MAIN_PORT_KEY = Symbol.for("threadlens.recorderPort");
/**
 * Where the preload leaves, in the main thread, the function that starts the recorder thread
 * when it has not started yet (`soon`: within a few milliseconds rather than now). Unset once
 * started, or when the recorder starts with the program (a supervisor, a trace file).
 */
export const START_RECORDER_KEY = Symbol.for("threadlens.startRecorder");
/**
 * Set by the main thread's runtime (runtime/openWaits.ts): a function that says whether main
 * has recorded nothing but its own start, loop and end, from which no analysis can find
 * anything (a program that ends before its recorder started is then not analyzed at all).
 */
export const NOTHING_RECORDED_KEY = Symbol.for("threadlens.nothingRecorded");
/**
 * A program that ends before its recorder thread started is analyzed in its main thread, at its
 * exit: the preload loads the recorder's code there with this global set to its data, and the
 * recorder leaves under the same key the function that drains and reports (returns whether the
 * program ended blocked).
 */
export const RECORDER_IN_MAIN_KEY = Symbol.for("threadlens.recorderInMain");
export const INTERNAL_WORKER_MARK = "__threadlens_internal__";

/** Ring header words (Int32), then the events. */
export const RING_WRITE = 0; // events written so far (the writer's count)
export const RING_READ = 1; // events drained so far (the recorder's count)
export const RING_DROPPED = 2; // events lost because the ring was full
/**
 * The thread's idle watcher (runtime instrument/loopWatch.ts): the coarse clock of its last
 * check that found its event loop waiting for nothing but messages, 0 when it found work.
 */
export const RING_IDLE_BEAT = 3;
/**
 * Where the thread listens for messages: the call site of the latest 'message' listener it
 * added (its process's IPC channel, its parentPort), 0 if none; sent with an idle beat's event.
 */
export const RING_MESSAGE_SITE = 4;
/**
 * Messages the thread's program listeners were given (its process's IPC channel, the IPC
 * channels of its child processes of the run, its plain Workers) and messages it posted to its
 * parentPort or its plain Workers: a count that moves while threads that look idle between
 * beats in fact talk, so that their quiet is not taken for a hang.
 */
export const RING_MESSAGES = 5;
export const RING_HEADER_WORDS = 6;

export type RecorderMessage =
  | {
      readonly type: "ring";
      readonly host: number;
      readonly buffer: SharedArrayBuffer;
      readonly main: boolean;
    }
  | { readonly type: "meta"; readonly record: MetaRecord }
  /** A thread parked by pause generation `generation` (see recorderControl.ts PAUSE_WORD). */
  | ({ readonly type: "parked"; readonly generation: number } & ParkedThread);
