// Controlled schedules (DESIGN 8.1): the plan a supervisor hands to the program's scheduler, its
// printable token, and the notes the scheduler writes back. The CLI (confirm, explore, replay)
// and the debug adapter set THREADLENS_SCHEDULE; without it the runtime's scheduler is off.

/** Environment variable holding the schedule token (absent: no scheduler). */
export const ENV_SCHEDULE = "THREADLENS_SCHEDULE";
/** Environment variable naming a file the scheduler appends ScheduleNote JSON lines to. */
export const ENV_SCHEDULE_OUT = "THREADLENS_SCHEDULE_OUT";
/** Environment data key (worker_threads) of the scheduler's shared words. */
export const SCHEDULE_DATA_KEY = "threadlens:schedule";

export const STRATEGIES = ["random", "pct"] as const;
export type Strategy = (typeof STRATEGIES)[number];

/**
 * Confirm a potential deadlock (DeadlockFuzzer's directed schedule): a thread of `threads` that
 * holds one lock of `locks` and reaches an acquisition of another is held back until every
 * thread of `threads` is held so, or until `holdMs` pass without a new arrival.
 */
export interface DirectedPlan {
  readonly mode: "directed";
  readonly threads: readonly string[];
  readonly locks: readonly string[];
  readonly holdMs: number;
  /** Fingerprint of the program the schedule was made for (see the CLI's programFingerprint). */
  readonly program?: string;
}

/**
 * A forced switch: thread `thread` takes priority `prio` after its `pass`-th point (counted
 * from 0), so that others may go before its next one.
 */
export interface ScheduleChange {
  readonly thread: string;
  readonly pass: number;
  readonly prio: number;
}

/**
 * A randomized schedule: priorities per logical thread drawn from `seed`; "pct" lowers the
 * running thread's priority at `depth - 1` points among the first `steps`, "random" redraws a
 * thread's priority at each point. The same seed and program give the same decisions. With
 * `changes` (a shrunk schedule, `explore --shrink`), those are the only priority changes: the
 * initial priorities still come from `seed`.
 */
export interface RandomPlan {
  readonly mode: Strategy;
  readonly seed: number;
  readonly depth: number;
  readonly steps: number;
  readonly program?: string;
  readonly changes?: readonly ScheduleChange[];
}

export type SchedulePlan = DirectedPlan | RandomPlan;

/** What the scheduler tells its supervisor (one JSON object a line in THREADLENS_SCHEDULE_OUT). */
export type ScheduleNote =
  /** Directed: every thread of the plan was held at its cycle acquisition and let go at once. */
  | { readonly type: "released"; readonly threads: readonly string[] }
  /** Directed: the hold was given up; who was held, and where each missing thread was. */
  | {
      readonly type: "gave-up";
      readonly held: readonly { readonly thread: string; readonly at: string }[];
      readonly missing: readonly { readonly thread: string; readonly at: string }[];
      readonly waitedMs: number;
    }
  /**
   * Randomized: `waiter` went ahead of `thread` (of higher priority) after waiting `waitedMs`
   * for it to reach a point: the order from there on depended on timing.
   */
  | {
      readonly type: "stalled";
      readonly thread: string;
      readonly waiter: string;
      readonly waitedMs: number;
    }
  /** Randomized: a priority change (a forced switch) after `at`, the point just passed. */
  | {
      readonly type: "change";
      readonly thread: string;
      readonly pass: number;
      readonly prio: number;
      readonly at: string;
    }
  /** At the program's end: how many synchronization points were passed. */
  | { readonly type: "steps"; readonly steps: number };

const TOKEN_PREFIX = "tl1.";

export class ScheduleTokenError extends Error {
  override name = "ScheduleTokenError";
}

/** The printable token of a plan (URL-safe base64 of its JSON, versioned). */
export function encodeSchedule(plan: SchedulePlan): string {
  return TOKEN_PREFIX + Buffer.from(JSON.stringify(plan), "utf8").toString("base64url");
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

function isChange(value: unknown): value is ScheduleChange {
  if (value === null || typeof value !== "object") return false;
  const c = value as Record<string, unknown>;
  return typeof c["thread"] === "string" && isCount(c["pass"]) && isCount(c["prio"]);
}

/** Parses a token; throws ScheduleTokenError saying what is wrong with it. */
export function decodeSchedule(token: string): SchedulePlan {
  if (!token.startsWith(TOKEN_PREFIX)) {
    throw new ScheduleTokenError(`not a threadlens schedule token (expected "${TOKEN_PREFIX}...")`);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token.slice(TOKEN_PREFIX.length), "base64url").toString());
  } catch {
    throw new ScheduleTokenError("the schedule token is damaged (it does not decode)");
  }
  if (value === null || typeof value !== "object") {
    throw new ScheduleTokenError("the schedule token is damaged (no plan in it)");
  }
  const v = value as Record<string, unknown>;
  const program = typeof v["program"] === "string" ? v["program"] : undefined;
  if (v["mode"] === "directed") {
    if (!isStringArray(v["threads"]) || !isStringArray(v["locks"]) || !isCount(v["holdMs"])) {
      throw new ScheduleTokenError("the schedule token is damaged (bad directed plan)");
    }
    return {
      mode: "directed",
      threads: v["threads"],
      locks: v["locks"],
      holdMs: v["holdMs"],
      program,
    };
  }
  if (v["mode"] === "random" || v["mode"] === "pct") {
    if (!isCount(v["seed"]) || !isCount(v["depth"]) || !isCount(v["steps"])) {
      throw new ScheduleTokenError("the schedule token is damaged (bad randomized plan)");
    }
    const plan: RandomPlan = {
      mode: v["mode"],
      seed: v["seed"],
      depth: v["depth"],
      steps: v["steps"],
      program,
    };
    if (v["changes"] === undefined) return plan;
    if (!Array.isArray(v["changes"]) || !v["changes"].every(isChange)) {
      throw new ScheduleTokenError("the schedule token is damaged (bad forced switches)");
    }
    return { ...plan, changes: v["changes"] };
  }
  throw new ScheduleTokenError(`the schedule token has an unknown mode ${String(v["mode"])}`);
}

/** A 32-bit hash of `text` mixed with `seed` (FNV-1a, then a murmur finalizer). */
export function hash32(seed: number, text: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}
