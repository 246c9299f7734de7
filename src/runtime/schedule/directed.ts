// The directed schedule of `threadlens run --confirm` (DeadlockFuzzer's idea): a thread of the
// predicted cycle that holds one of the cycle's locks and reaches an acquisition of another is
// held there until every thread of the cycle is held the same way; then all go at once and the
// cycle closes. If `holdMs` pass with no new arrival, the hold is given up (once, for the whole
// run) and the note says where each missing thread was: blocked on an Event the held thread
// would set, joining it, not started yet... which is the reason the cycle cannot happen.
import type { DirectedPlan, ScheduleNote } from "../../protocol/schedule.ts";
import type { LogicalThread } from "../logicalThread.ts";
import type { PointKind, PointObject } from "./scheduler.ts";
import * as table from "./table.ts";

export interface DirectedPlanState {
  readonly plan: DirectedPlan;
  readonly words: Int32Array;
  readonly note: (message: ScheduleNote) => void;
}

const HOLDING = 0;
const RELEASED = 1;
const GAVE_UP = 2;
const SLOW_START_FACTOR = 5;

/** Cycle locks each logical thread of this OS thread went to acquire (held or not by now). */
const taken = new Map<number, PointObject[]>();
let lastArrivals = -1;
let lastArrivalAt = 0;

/**
 * At a point of thread `t`: true if it must be held (it holds a lock of the cycle and is about
 * to take another; it is then marked arrived).
 */
export function directedArrive(
  state: DirectedPlanState,
  slot: number,
  t: LogicalThread,
  kind: PointKind,
  object: PointObject,
): boolean {
  const { plan, words } = state;
  if (kind !== "acquire" || Atomics.load(words, table.DIRECTED) !== HOLDING) return false;
  if (!plan.threads.includes(t.name) || !plan.locks.includes(object.name)) return false;
  const mine = (taken.get(t.ident) ?? []).filter(
    (lock) => lock !== object && lock.isHeldBy?.(t.ident) === true,
  );
  if (mine.length === 0 || table.arrived(slot)) {
    taken.set(t.ident, [...mine, object]);
    return false;
  }
  table.describeSlot(
    slot,
    `holding ${mine.map((lock) => lock.name).join(", ")}, about to acquire ${object.name}`,
  );
  table.markArrived(slot);
  return true;
}

function arrivedSlot(name: string): number {
  const slot = table.slotNamed(name);
  return slot >= 0 && table.arrived(slot) ? slot : -1;
}

function giveUp(state: DirectedPlanState, waitedMs: number): void {
  const held: { thread: string; at: string }[] = [];
  const missing: { thread: string; at: string }[] = [];
  for (const name of new Set(state.plan.threads)) {
    const slot = table.slotNamed(name);
    if (slot >= 0 && table.arrived(slot)) held.push({ thread: name, at: table.descOf(slot) });
    else if (slot < 0) missing.push({ thread: name, at: "not running (not started, or ended)" });
    else {
      const blocked = table.stateOf(slot) === table.BLOCKED;
      const at = table.descOf(slot);
      missing.push({ thread: name, at: blocked ? at : `running (last point: ${at})` });
    }
  }
  state.note({ type: "gave-up", held, missing, waitedMs: Math.round(waitedMs) });
}

/**
 * How long to wait for the missing threads: `holdMs` when each is blocked at a point of its own
 * (waiting on an Event, joining: it will not come), five times that while one is still running
 * or not yet started (a worker can take a second to start on a loaded machine).
 */
function holdLimit(plan: DirectedPlan): number {
  for (const name of plan.threads) {
    const slot = table.slotNamed(name);
    if (slot < 0 || (!table.arrived(slot) && table.stateOf(slot) !== table.BLOCKED)) {
      return plan.holdMs * SLOW_START_FACTOR;
    }
  }
  return plan.holdMs;
}

/** Whether a held thread may go now (all arrived, or the hold was given up). */
export function directedTurn(state: DirectedPlanState): boolean {
  const { plan, words } = state;
  if (Atomics.load(words, table.DIRECTED) !== HOLDING) return true;
  if (plan.threads.every((name) => arrivedSlot(name) >= 0)) {
    if (Atomics.compareExchange(words, table.DIRECTED, HOLDING, RELEASED) === HOLDING) {
      state.note({ type: "released", threads: [...new Set(plan.threads)] });
      table.bump();
    }
    return true;
  }
  const arrivals = Atomics.load(words, table.ARRIVALS);
  const now = performance.now();
  if (arrivals !== lastArrivals) {
    lastArrivals = arrivals;
    lastArrivalAt = now;
    return false;
  }
  if (now - lastArrivalAt < holdLimit(plan)) return false;
  if (Atomics.compareExchange(words, table.DIRECTED, HOLDING, GAVE_UP) === HOLDING) {
    giveUp(state, now - lastArrivalAt);
    table.bump();
  }
  return true;
}
