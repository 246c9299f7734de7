// The exit codes of DESIGN section 8 for every supervisor (`threadlens run`, `check`,
// `export`, the debug adapter's exit code of the program); the numbers themselves are in
// src/protocol/exitCodes.ts, which the recorder inside the program uses too.
import { constants } from "node:os";

export { EXIT_BLOCKED, EXIT_CLEAN, EXIT_FINDINGS, EXIT_START } from "../protocol/exitCodes.ts";

/** The shell's convention for a process ended by a signal: 128 + the signal's number. */
export function exitCodeOfSignal(signal: NodeJS.Signals): number | undefined {
  const number = constants.signals[signal];
  return number === undefined ? undefined : 128 + number;
}
