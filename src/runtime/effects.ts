// Blocking operations written once, run two ways. A primitive's operation is a generator that
// yields the two things that can block (take a lock, park on a shared word); runSync performs
// them by blocking the thread, runAsync by awaiting. So `wait()` and `waitSync()` cannot drift.
import type { AnyLock } from "./lock.ts";
import { parkAsync, parkSync, type ParkResult } from "./parking.ts";
import { remaining } from "./validate.ts";
import { mayRecordBranch, recordIdent, recordingAs } from "./recordIdent.ts";
import { recordingOn } from "./recording.ts";
import {
  pointAsync,
  pointSync,
  scheduleOn,
  type PointKind,
  type PointObject,
} from "./schedule/scheduler.ts";

interface ParkEffect {
  readonly kind: "park";
  readonly cell: Int32Array;
  readonly index: number;
  readonly expected: number;
  readonly deadline: number;
}

interface LockEffect {
  readonly kind: "lock";
  readonly lock: AnyLock;
  readonly deadline: number;
}

export type Effect = ParkEffect | LockEffect;
export type Op<T> = Generator<Effect, T, ParkResult | boolean>;

/** Parks while `cell[index] === expected` (see parking.ts). */
export function* park(
  cell: Int32Array,
  index: number,
  expected: number,
  deadline: number,
): Op<ParkResult> {
  return (yield { kind: "park", cell, index, expected, deadline }) as ParkResult;
}

/** Takes `lock`, giving up at `deadline` (false). */
export function* take(lock: AnyLock, deadline: number): Op<boolean> {
  return (yield { kind: "lock", lock, deadline }) as boolean;
}

function timeoutOf(deadline: number): { timeout: number } | undefined {
  return deadline === Infinity ? undefined : { timeout: remaining(deadline) };
}

/**
 * Runs `op` blocking the thread. With `kind` and `object`, the operation is a synchronization
 * point of controlled schedules (DESIGN 8.1); internal operations give none.
 */
export function runSync<T>(op: Op<T>, kind?: PointKind, object?: PointObject): T {
  if (scheduleOn && kind !== undefined && object !== undefined) pointSync(kind, object);
  let step = op.next();
  while (!step.done) {
    const e = step.value;
    const result: ParkResult | boolean =
      e.kind === "park"
        ? parkSync(e.cell, e.index, e.expected, e.deadline)
        : e.lock.acquireSync(timeoutOf(e.deadline));
    step = op.next(result);
  }
  return step.value;
}

/**
 * Async driver. A lock is taken so that the generator goes on in the same tick as the
 * successful take: an operation's internal lock is then never held across a microtask hop in
 * which sync code of the same thread could block on it forever (see waitWhileHeld).
 */
export async function runAsync<T>(op: Op<T>, kind?: PointKind, object?: PointObject): Promise<T> {
  if (scheduleOn && kind !== undefined && object !== undefined) await pointAsync(kind, object);
  // A recorded operation is recorded as one logical thread from start to end, decided after
  // one hop, when a Promise.all branch running it is known (recordIdent.ts).
  if (recordingOn && kind !== undefined) {
    await undefined;
    return runAsyncAs(mayRecordBranch() ? recordIdent() : 0, op);
  }
  return runAsyncAs(0, op);
}

function stepAs<T>(
  rec: number,
  op: Op<T>,
  result?: ParkResult | boolean,
): IteratorResult<Effect, T> {
  if (rec === 0) return op.next(result as ParkResult | boolean);
  return recordingAs(rec, () => op.next(result as ParkResult | boolean));
}

async function runAsyncAs<T>(rec: number, op: Op<T>): Promise<T> {
  let step = stepAs(rec, op);
  while (!step.done) {
    const e = step.value;
    let result: ParkResult | boolean;
    if (e.kind === "park") {
      result = await parkAsync(e.cell, e.index, e.expected, e.deadline);
    } else {
      const lock = e.lock;
      result = rec === 0 ? lock.tryAcquire() : recordingAs(rec, () => lock.tryAcquire());
      while (!result && remaining(e.deadline) > 0) {
        await lock.waitWhileHeld(e.deadline);
        result =
          rec === 0
            ? lock.tryAcquireContended()
            : recordingAs(rec, () => lock.tryAcquireContended());
      }
    }
    step = stepAs(rec, op, result);
  }
  return step.value;
}

/** Runs `op` holding `lock` (taken without timeout), releasing it however `op` ends. */
export function* holding<T>(lock: AnyLock, op: Op<T>): Op<T> {
  yield* take(lock, Infinity);
  try {
    return yield* op;
  } finally {
    lock.release();
  }
}
