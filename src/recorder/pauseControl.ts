// The recorder's side of the debugger's pause (DESIGN 6). The supervisor (the debug adapter)
// writes ControlCommand lines on the control fd; this sets or clears the pause word every thread
// checks at its synchronization points (src/runtime/pause.ts), collects the threads that park,
// and says "paused" once every live thread is parked or blocked. The recorder thread runs this
// because it is the one thread that always runs, whatever the program's threads do.
import { Socket } from "node:net";
import { createInterface } from "node:readline";
import {
  PAUSE_WORD,
  type ControlCommand,
  type ParkedThread,
  type RecorderOutput,
} from "../protocol/recorderControl.ts";
import type { ReportThread } from "../protocol/report.ts";

/**
 * How long a pause waits for threads that are neither parked nor blocked (sleeping, in I/O, in
 * a loop with no synchronization) before it reports the program paused anyway, naming them.
 */
export const PAUSE_SETTLE_MS = 500;
/**
 * ...and for threads of child processes, counted from when their process told them the pause
 * (its recorder says so): their parking still takes a hop between processes (through both
 * recorders) to be known here, longer on a loaded machine.
 */
export const PAUSE_SETTLE_PROCESS_MS = 2000;
/**
 * How long a pause waits for a child process to say it told its threads: its recorder thread
 * always runs, so only a machine loaded far beyond its cores makes this late.
 */
export const PAUSE_REACH_PROCESS_MS = 10_000;

/**
 * When the pause of `generation` reached the thread `ident`'s process (performance.now());
 * null for a thread of this process (the pause reaches it at once), undefined while a child
 * process has not said yet.
 */
export type PauseReachedAt = (ident: number, generation: number) => number | undefined | null;

export class PauseControl {
  readonly #word: Int32Array;
  #generation = 0;
  /** Threads parked by the current pause, by ident. */
  readonly #parked = new Map<number, ParkedThread>();
  /** When the current pause was asked for (performance.now()); undefined when running. */
  #pausedAt: number | undefined;
  #reported = false;

  constructor(
    buffer: SharedArrayBuffer,
    private readonly send: (message: RecorderOutput) => void,
    /** Child processes of the program (processHub.ts pauseAppliedAt). */
    private readonly reachedAt: PauseReachedAt = () => null,
    /** The clock the settling times are counted on (performance.now(), or a test's). */
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.#word = new Int32Array(buffer);
  }

  /** The current pause's generation (0: running): child processes park under it too. */
  get generation(): number {
    return this.paused ? this.#generation : 0;
  }

  /** While a pause is in force (nothing can progress: the online check holds off). */
  get paused(): boolean {
    return this.#pausedAt !== undefined;
  }

  command(command: ControlCommand): void {
    if (command.command === "pause") {
      if (this.paused) return;
      // A new generation each time, so a late "parked" from the previous pause is ignored.
      this.#generation = (this.#generation % 0x3fffffff) + 1;
      this.#parked.clear();
      this.#reported = false;
      this.#pausedAt = this.clock();
      Atomics.store(this.#word, PAUSE_WORD, this.#generation);
    } else if (command.command === "continue") {
      this.#pausedAt = undefined;
      this.#parked.clear();
      Atomics.store(this.#word, PAUSE_WORD, 0);
      Atomics.notify(this.#word, PAUSE_WORD);
    }
  }

  /** A program thread stopped at a synchronization point. */
  parked(generation: number, thread: ParkedThread): void {
    if (generation === this.#generation && this.paused) this.#parked.set(thread.thread, thread);
  }

  /** Paused, and the threads' arrival not reported yet: tick() wants the threads. */
  get settling(): boolean {
    return this.#pausedAt !== undefined && !this.#reported;
  }

  /** Called each recorder tick while settling: reports the pause once it holds. */
  tick(threads: readonly ReportThread[]): void {
    const pausedAt = this.#pausedAt;
    if (pausedAt === undefined || this.#reported) return;
    const running = threads.filter((t) => t.state === "running" && !this.#parked.has(t.ident));
    const now = this.clock();
    const mayStillPark = (ident: number): boolean => {
      const reached = this.reachedAt(ident, this.#generation);
      if (reached === null) return now - pausedAt < PAUSE_SETTLE_MS;
      if (reached === undefined) return now - pausedAt < PAUSE_REACH_PROCESS_MS;
      return now - reached < PAUSE_SETTLE_PROCESS_MS;
    };
    if (running.some((t) => mayStillPark(t.ident))) return;
    this.#reported = true;
    this.send({
      type: "paused",
      parked: [...this.#parked.values()],
      running: running.map((t) => t.name),
    });
  }
}

/** Parses one command line; undefined for anything else (ignored: the pipe is ours). */
export function parseControlCommand(line: string): ControlCommand | undefined {
  try {
    const value = JSON.parse(line) as { command?: unknown };
    if (value.command === "pause" || value.command === "continue") {
      return { command: value.command };
    }
  } catch {
    // not JSON: ignored
  }
  return undefined;
}

/**
 * Reads commands from the supervisor's control fd. Its end of file means the supervisor is
 * gone (the adapter was killed): `onClosed` ends the program, which must not outlive it.
 */
export function readControlCommands(
  fd: number,
  onCommand: (command: ControlCommand) => void,
  onClosed: () => void,
): void {
  let input: Socket;
  try {
    input = new Socket({ fd, readable: true, writable: false });
  } catch {
    return; // not an open pipe: no supervisor to listen to
  }
  input.unref();
  input.on("error", () => undefined);
  input.on("end", onClosed);
  createInterface({ input }).on("line", (line) => {
    const command = parseControlCommand(line);
    if (command !== undefined) onCommand(command);
  });
}
