// Where the recorder's results go: JSON lines on the supervisor's file descriptor, the
// .tltrace file, or (no supervisor) a human report on stderr.
import { closeSync, openSync, writeSync } from "node:fs";
import type { RecorderOutput } from "../protocol/recorderControl.ts";

/** Writes all of `text` to `fd`, retrying while a non-blocking pipe is full. */
export function writeFully(fd: number, text: string): void {
  let buffer = Buffer.from(text);
  while (buffer.length > 0) {
    try {
      const written = writeSync(fd, buffer);
      buffer = buffer.subarray(written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

export function sendToSupervisor(fd: number, message: RecorderOutput): void {
  writeFully(fd, `${JSON.stringify(message)}\n`);
}

/**
 * Appends lines to the trace file. Lines are gathered during one drain of the rings and written
 * at its end (`flush`), so what was recorded reaches the file within one drain (5 ms), and a
 * program killed at any moment leaves a trace that holds everything up to its last drain.
 * Every failure (a folder that vanished, a full disk) throws: the session reports it.
 */
export class TraceFileWriter {
  #pending: string[] = [];
  readonly #fd: number;
  #closed = false;

  constructor(
    readonly path: string,
    header: string,
  ) {
    this.#fd = openSync(path, "w");
    writeFully(this.#fd, header);
  }

  append(line: string): void {
    this.#pending.push(line);
  }

  flush(): void {
    if (this.#pending.length === 0 || this.#closed) return;
    const text = this.#pending.join("");
    this.#pending = [];
    writeFully(this.#fd, text);
  }

  /** Writes what is pending and the closing line (a comment, so any reader skips it). */
  close(endLine: string): void {
    if (this.#closed) return;
    this.append(`${endLine}\n`);
    this.flush();
    this.#closed = true;
    closeSync(this.#fd);
  }

  /** Gives up the file after a failure (nothing more is written). */
  abandon(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending = [];
    try {
      closeSync(this.#fd);
    } catch {
      // closing after a failed write may fail too: nothing more to do
    }
  }
}
