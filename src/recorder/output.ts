// Where the recorder's results go: JSON lines on the supervisor's file descriptor, the
// .tltrace file, or (no supervisor) a human report on stderr.
import { appendFileSync, writeFileSync, writeSync } from "node:fs";
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

/** Appends lines to the trace file, buffering to keep system calls few. */
export class TraceFileWriter {
  #pending: string[] = [];
  #size = 0;

  constructor(
    readonly path: string,
    header: string,
  ) {
    writeFileSync(path, header);
  }

  append(line: string): void {
    this.#pending.push(line);
    this.#size += line.length;
    if (this.#size > 1 << 16) this.flush();
  }

  flush(): void {
    if (this.#pending.length === 0) return;
    appendFileSync(this.path, this.#pending.join(""));
    this.#pending = [];
    this.#size = 0;
  }
}
