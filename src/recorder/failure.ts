// Failures of threadlens itself (not of the program), as the recorder reports them: to the
// supervisor, which prints them and exits 3, or without one on stderr.
import type { RecorderOutput } from "../protocol/recorderControl.ts";
import { sendToSupervisor, writeFully } from "./output.ts";

export function failureMessage(what: string, error: unknown): string {
  const detail =
    error instanceof Error
      ? `${error.message}${error.stack === undefined ? "" : `\n${error.stack}`}`
      : String(error);
  return `${what}: ${detail}`;
}

/**
 * Reports a failure once: `fatal` when the program is being stopped because of it, otherwise
 * the recording goes on without what failed (e.g. the trace file).
 */
export function reportFailure(outputFd: number | undefined, message: string, fatal: boolean): void {
  const failure: RecorderOutput = { type: "failure", message, fatal };
  try {
    if (outputFd !== undefined) sendToSupervisor(outputFd, failure);
    else
      writeFully(
        2,
        `threadlens: ${message}\n${fatal ? "threadlens: the program is stopped (exit 3)\n" : ""}`,
      );
  } catch {
    // the supervisor's pipe is gone too: the lifeline ends the program
  }
}
