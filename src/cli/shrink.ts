// `threadlens explore --shrink` (DESIGN 8.1, issue 16): the schedule of the failing run reduced
// to the fewest forced switches that still fail the same way. A randomized run's only decisions
// beyond the threads' initial priorities are its priority changes (the scheduler notes each one
// it makes: thread, pass, new priority, the point just passed), so the run found is first
// replayed with exactly those changes listed in its plan, then each change is dropped in turn,
// last first, and the drop kept when the run still fails alike (one rerun each, at most
// MAX_RERUNS in all). What remains is 1-minimal: no single switch of it can go. The report is the
// last failing rerun's, so the token it carries has just been seen to replay the failure.
import {
  encodeSchedule,
  type RandomPlan,
  type ScheduleChange,
  type ScheduleNote,
} from "../protocol/schedule.ts";
import type { ScheduledOutcome } from "./schedules.ts";

const MAX_RERUNS = 40;

export interface ShrinkRun {
  readonly outcome: ScheduledOutcome;
  readonly stderr: string;
}

export interface Shrunk extends ShrinkRun {
  readonly schedule: string;
  readonly from: number;
  readonly to: number;
  readonly reruns: number;
  readonly switches: readonly string[];
}

type ChangeNote = Extract<ScheduleNote, { type: "change" }>;

const keyOf = (c: ScheduleChange): string => `${c.thread}#${c.pass}`;

/** The changes a run made, once each, in the order they were made. */
function changesOf(notes: readonly ScheduleNote[]): ChangeNote[] {
  const seen = new Map<string, ChangeNote>();
  for (const n of notes) if (n.type === "change" && !seen.has(keyOf(n))) seen.set(keyOf(n), n);
  return [...seen.values()];
}

function describe(changes: readonly ScheduleChange[], notes: readonly ScheduleNote[]): string[] {
  const made = new Map(changesOf(notes).map((n) => [keyOf(n), n.at]));
  return changes.map((c) => {
    const at = made.get(keyOf(c));
    return at === undefined
      ? `${c.thread} after its point ${c.pass + 1}`
      : `${c.thread} after ${at}`;
  });
}

/**
 * Shrinks the failing run `found` of `plan` (which failed with `failure`); undefined when the
 * run made no change or its listed changes did not fail alike (the order then depended on
 * timing, not on the switches).
 */
export async function shrinkSchedule(
  plan: RandomPlan,
  found: ShrinkRun,
  failure: string,
  rerun: (schedule: string) => Promise<ShrinkRun>,
  failureOf: (run: ShrinkRun) => string | undefined,
): Promise<Shrunk | undefined> {
  const fired: ScheduleChange[] = changesOf(found.outcome.notes).map(({ thread, pass, prio }) => ({
    thread,
    pass,
    prio,
  }));
  let reruns = 0;
  interface Attempt extends ShrinkRun {
    readonly schedule: string;
    readonly changes: readonly ScheduleChange[];
  }
  const attempt = async (changes: readonly ScheduleChange[]): Promise<Attempt | undefined> => {
    reruns++;
    const schedule = encodeSchedule({ ...plan, changes });
    const run = await rerun(schedule);
    return failureOf(run) === failure ? { ...run, schedule, changes } : undefined;
  };
  let best = await attempt(fired);
  if (best === undefined) return undefined;
  for (let i = best.changes.length - 1; i >= 0 && reruns < MAX_RERUNS; i--) {
    const without: ScheduleChange[] = best.changes.filter((_, k) => k !== i);
    best = (await attempt(without)) ?? best;
  }
  return {
    outcome: best.outcome,
    stderr: best.stderr,
    schedule: best.schedule,
    from: fired.length,
    to: best.changes.length,
    reruns,
    switches: describe(best.changes, best.outcome.notes),
  };
}
