// The shape of an analysis pass (analyze.ts runs them from one list): it observes every event
// of the run, in order, before the run state applies it, and gives its findings at the end (or
// now, for the live analysis' end). What a pass needs besides the events (the run state, the
// clocks, the dictionary, the options) it takes when it is made.
import type { TraceEvent } from "../protocol/events.ts";
import type { Finding } from "../protocol/report.ts";

/** What a pass' findings may depend on beyond its own observations. */
export interface RunEnd {
  /**
   * Lock sets (sorted ids joined by ",") of the deadlocks reported for this run: a potential
   * deadlock on one of them is that deadlock again.
   */
  readonly deadlockLockSets: ReadonlySet<string>;
}

export interface AnalysisPass {
  /** Sees `event` before the run state applies it, after the passes before it in the list. */
  observe(event: TraceEvent): void;
  /** Its findings; absent for a pass that only keeps what others read (clocks, figures). */
  findings?(end: RunEnd): readonly Finding[];
}
