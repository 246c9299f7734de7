// The exit codes of DESIGN section 8, in one place for every supervisor (`threadlens run`,
// `threadlens check`, `threadlens export`, the debug adapter's exit code of the program).
import { constants } from "node:os";

/** Nothing found. */
export const EXIT_CLEAN = 0;
/** Findings, but nothing blocked (potential deadlock, misuse). */
export const EXIT_FINDINGS = 1;
/** The program blocked and was stopped (deadlock, self-deadlock, hang, timeout). */
export const EXIT_BLOCKED = 2;
/** Usage or start error (and any failure of threadlens itself). */
export const EXIT_START = 3;

/** The shell's convention for a process ended by a signal: 128 + the signal's number. */
export function exitCodeOfSignal(signal: NodeJS.Signals): number | undefined {
  const number = constants.signals[signal];
  return number === undefined ? undefined : 128 + number;
}
