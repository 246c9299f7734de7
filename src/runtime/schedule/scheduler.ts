// The scheduler of controlled runs (DESIGN 8.1). Synchronization points (acquisitions, waits,
// sets, puts/gets, starts, joins, spawns, Promise.all branch starts) pass through pointSync()
// or pointAsync() when a schedule is in force (THREADLENS_SCHEDULE); without one, `scheduleOn`
// is false and the runtime never calls in here.
//
// Randomized plans (PCT, random walk) give every logical thread a priority drawn from the seed
// and its name (so the draw does not depend on which thread arrives first): a thread at a
// point waits while a higher-priority thread is running (or waiting at a point of its own),
// and goes once that one reaches a point, blocks, ends, or stays away from points longer than
// STALL_MS (START_STALL_MS for a worker not at its first point yet: it may still be loading);
// then that one is stalled until its next point, so a sleeping or I/O-bound thread costs that
// wait once, and the scheduler notes it (the order then depended on timing). A Thread or task
// takes part from its start. A priority change takes effect at the thread's next point, so the
// operation of the point it passed completes first. Async tasks of one thread take turns
// exactly, at macrotask boundaries; across worker threads the order is enforced at the points.
// A directed plan holds the threads of a predicted cycle at their second acquisition (see
// directed.ts).
import { closeSync, openSync, writeSync } from "node:fs";
import { isMainThread } from "node:worker_threads";
import {
  ENV_SCHEDULE,
  ENV_SCHEDULE_OUT,
  ScheduleTokenError,
  decodeSchedule,
  type ScheduleNote,
  type SchedulePlan,
} from "../../protocol/schedule.ts";
import { branchAndSite, branchNameOf } from "../instrument/branches.ts";
import { branchesMayRun } from "../instrument/combinators.ts";
import { currentLogicalThread, threadSelf, type LogicalThread } from "../logicalThread.ts";
import { KIND_FIELD } from "../primitive.ts";
import { rawWait, rawWaitAsync } from "../rawAtomics.ts";
import { scheduleBranches } from "./branchStarts.ts";
import { initialPrioOf, priorityChange } from "./changes.ts";
import { directedArrive, directedTurn, type DirectedPlanState } from "./directed.ts";
import * as table from "./table.ts";

export type PointKind =
  | "acquire"
  | "release"
  | "wait"
  | "notify"
  | "exchange"
  | "set"
  | "put"
  | "get"
  | "start"
  | "join"
  | "spawn"
  | "branch";

/** What a point is about: a primitive (its name; for locks, who holds it), a thread, a task. */
export interface PointObject {
  readonly name: string;
  isHeldBy?(ident: number): boolean;
  readonly locked?: boolean;
}

const VERBS: Record<PointKind, string> = {
  acquire: "acquiring",
  release: "releasing",
  wait: "waiting on",
  notify: "notifying",
  exchange: "exchanging",
  set: "setting",
  put: "putting into",
  get: "getting from",
  start: "starting",
  join: "joining",
  spawn: "spawning",
  branch: "starting a branch in",
};

/**
 * Points after which the thread is blocked: a join (it awaits the thread's end), a combinator
 * call (it awaits its branches, almost always). Waits that park (a lock held by another, an
 * Event not set, an empty Queue) say so themselves (scheduledPark), so a wait that need not
 * block leaves the thread running. A thread that goes on running is back at its next point.
 */
function blocksAfter(kind: PointKind): boolean {
  return kind === "join" || kind === "branch";
}

/**
 * How long a thread waits for a higher-priority one that reaches no point (it sleeps, waits on
 * I/O, or is blocked on something that is no point); then that one is stalled until its next
 * point. A thread that has not reached its first point yet (a worker loading its modules) gets
 * longer. Generous: a loaded machine must not change the order of a replayed schedule.
 */
const STALL_MS = 1000;
const START_STALL_MS = 15_000;
/**
 * A Promise.all branch not at its first point yet may be no code at all (`once(worker,
 * "exit")`, a fetch): it is waited for briefly (a branch that first sleeps a moment is).
 */
const BRANCH_START_STALL_MS = 200;

function readPlan(): SchedulePlan | undefined {
  const token = process.env[ENV_SCHEDULE];
  if (token === undefined || token === "") return undefined;
  try {
    return decodeSchedule(token);
  } catch (error) {
    // The CLI and the adapter check tokens first; a hand-set bad one runs unscheduled.
    if (isMainThread && error instanceof ScheduleTokenError) {
      process.stderr.write(`threadlens: ${ENV_SCHEDULE} ignored: ${error.message}\n`);
    }
    return undefined;
  }
}

const plan = readPlan();
/** True when a schedule is in force: the runtime's synchronization points call in here. */
export const scheduleOn: boolean = plan !== undefined;
const words = scheduleOn ? table.openTable() : new Int32Array(table.STEP + 1);
const outFile = process.env[ENV_SCHEDULE_OUT];

/** This thread's descriptor of the notes file (opened for appending at its first note). */
let outFd: number | undefined;

export function note(message: ScheduleNote): void {
  if (outFile === undefined || outFile === "") return;
  try {
    // One append a line: whole lines, whichever thread writes (a random walk notes every pass).
    outFd ??= openSync(outFile, "a");
    writeSync(outFd, `${JSON.stringify(message)}\n`);
  } catch {
    // The supervisor is gone or the file unwritable: the run itself goes on.
  }
}

if (scheduleOn && isMainThread) {
  process.on("exit", () => note({ type: "steps", steps: Atomics.load(words, table.STEP) }));
}
// A worker leaves the schedule as it ends, itself: its parent hears of the exit only on its
// event loop, which may be stopped at a point of its own, waiting for this very thread.
// Its notes descriptor is closed then (a worker's descriptors outlive it otherwise).
if (scheduleOn && !isMainThread) {
  process.once("exit", () => {
    scheduledThreadEnded(threadSelf.ident);
    if (outFd !== undefined) closeSync(outFd);
  });
}

function initialPrio(name: string): number {
  if (plan === undefined || plan.mode === "directed") return 0;
  return initialPrioOf(plan, name);
}

const slots = new Map<number, number>();

function slotFor(t: LogicalThread): number {
  const known = slots.get(t.ident);
  if (known !== undefined && table.identOf(known) === t.ident) return known;
  // A Thread's or task's slot is taken by whoever started it (scheduledThreadStarted), a
  // Promise.all branch's by its combinator call (a placeholder of its name: branchStarts.ts).
  let slot = table.slotOfIdent(t.ident);
  if (slot < 0) {
    const placeholder = table.slotNamed(t.name, true);
    if (placeholder >= 0 && table.adoptSlot(placeholder, table.identOf(placeholder), t.ident))
      slot = placeholder;
  }
  if (slot < 0) slot = table.claimSlot(t.ident, threadSelf.ident, t.name, initialPrio(t.name));
  if (slot < 0) return slot;
  slots.set(t.ident, slot);
  return slot;
}

/**
 * The logical thread at a point: a Promise.all/allSettled/any branch (DESIGN 3.1) is one of its
 * own, told apart as the recording tells it (V8's async stack, instrument/branches.ts).
 */
function pointThread(): LogicalThread {
  const own = currentLogicalThread();
  if (!branchesMayRun()) return own;
  const { ident } = branchAndSite();
  const name = ident === own.ident ? undefined : branchNameOf(ident);
  if (name === undefined) return own;
  return { ident, name, kind: "task", daemon: false };
}

if (scheduleOn) {
  scheduleBranches({
    prioOf: initialPrio,
    point: (combinator) => pointSync("branch", { name: combinator }),
    ended(slot, name) {
      if (table.stateOf(slot) === table.FREE || table.nameOf(slot) !== name) return;
      const ident = table.identOf(slot);
      slots.delete(ident);
      table.releaseSlot(slot);
    },
  });
}

/**
 * A Thread (`host` its own ident) or a task (`host` the ident of its OS thread) was started:
 * it takes part in the schedule from now on, before its first point, so that a thread of
 * higher priority that is still starting is waited for.
 */
export function scheduledThreadStarted(ident: number, host: number, name: string): void {
  if (table.slotOfIdent(ident) < 0) table.claimSlot(ident, host, name, initialPrio(name));
}

/**
 * The current logical thread parks (parking.ts: a lock held by another, an Event not set...):
 * nobody need wait for it until it wakes. Returns its slot for scheduledUnpark, or -1.
 */
export function scheduledPark(): number {
  const t = pointThread();
  const known = slots.get(t.ident);
  const slot =
    known !== undefined && table.identOf(known) === t.ident ? known : table.slotOfIdent(t.ident);
  if (slot < 0 || table.stateOf(slot) !== table.RUNNING) return -1;
  table.setState(slot, table.BLOCKED);
  return slot;
}

/** Parks logical thread `ident` (a join it waits in: instrument/workers.ts); its slot, or -1. */
export function scheduledParkIdent(ident: number): number {
  const slot = table.slotOfIdent(ident);
  if (slot < 0 || table.stateOf(slot) !== table.RUNNING) return -1;
  table.setState(slot, table.BLOCKED);
  return slot;
}

/** The thread parked at `slot` woke: it runs again, and lower threads wait for it again. */
export function scheduledUnpark(slot: number): void {
  if (slot >= 0 && table.stateOf(slot) === table.BLOCKED) table.setState(slot, table.RUNNING);
}

/** A task or thread ended: it takes no more turns. */
export function scheduledThreadEnded(ident: number): void {
  const slot = slots.get(ident) ?? table.slotOfIdent(ident);
  slots.delete(ident);
  if (slot >= 0 && table.identOf(slot) === ident) table.releaseSlot(slot);
}

/** The slot of a higher-priority thread this one must let go first, or -1. */
function blocker(me: number, sync: boolean): number {
  const mine = table.prioOf(me);
  const myIdent = table.identOf(me);
  const high = table.highWater();
  for (let s = 0; s < high; s++) {
    if (s === me) continue;
    const state = table.stateOf(s);
    if (state !== table.RUNNING && state !== table.AT_POINT) continue;
    if (table.stalled(s)) continue;
    // A Promise.all branch before its first point is waited for by its own thread's tasks
    // only: elsewhere it may well be no code at all (`once(worker, "exit")`).
    if (table.identOf(s) < 0 && table.hostOf(s) !== threadSelf.ident) continue;
    // A thread blocked at a Sync point stops its OS thread: its tasks cannot run meanwhile,
    // here or elsewhere (waiting for one of them there would wait for the stopped thread).
    if (sync && table.hostOf(s) === threadSelf.ident) continue;
    if (state === table.RUNNING && table.hostStopped(table.hostOf(s))) continue;
    const p = table.prioOf(s);
    if (p > mine || (p === mine && table.identOf(s) < myIdent)) return s;
  }
  return -1;
}

/** How long to wait for the thread of `slot` to reach a point before going without it. */
function stallBound(slot: number): number {
  if (table.identOf(slot) < 0) return BRANCH_START_STALL_MS;
  const starting = table.passesOf(slot) === 0 && table.hostOf(slot) === table.identOf(slot);
  return starting ? START_STALL_MS : STALL_MS;
}

/** How long a waiting thread has waited for its current blocker; stalls it past its bound. */
class StallClock {
  #slot = -1;
  #passes = -1;
  #since = 0;

  constructor(readonly waiter: string) {}

  /**
   * True when `b` has been waited for longer than its bound since it last passed a point: it
   * is stalled now (and noted).
   */
  expired(b: number): boolean {
    const now = performance.now();
    const passes = table.passesOf(b);
    if (b !== this.#slot || passes !== this.#passes) {
      this.#slot = b;
      this.#passes = passes;
      this.#since = now;
      return false;
    }
    const bound = stallBound(b);
    if (now - this.#since <= bound) return false;
    table.markStalled(b);
    note({ type: "stalled", thread: table.nameOf(b), waiter: this.waiter, waitedMs: bound });
    this.#slot = -1;
    return true;
  }
}

/** The primitive's kind (Lock, Event...) when the caller gives none. */
function labelOf(object: PointObject): string {
  const kind = (object as unknown as Record<string, unknown>)[KIND_FIELD];
  return typeof kind === "string" ? kind : "";
}

function describePoint(kind: PointKind, object: PointObject, given: string | undefined): string {
  const label = given ?? labelOf(object);
  return `${VERBS[kind]} ${label === "" ? "" : `${label} `}${object.name}`;
}

/**
 * The priority a thread takes at its next point: the step it passed (the operation of the
 * point, a lock taken...) completes first, as PCT's steps do, before lower threads may go.
 */
const nextPrio = new Map<number, number>();

function arrive(
  slot: number,
  t: LogicalThread,
  kind: PointKind,
  object: PointObject,
  label?: string,
): void {
  const prio = nextPrio.get(t.ident);
  if (prio !== undefined) {
    nextPrio.delete(t.ident);
    table.setPrio(slot, prio);
  }
  table.describeSlot(slot, describePoint(kind, object, label));
  table.setState(slot, table.AT_POINT);
}

function pass(slot: number, t: LogicalThread, kind: PointKind): void {
  const passes = table.countPass(slot);
  Atomics.add(words, table.STEP, 1);
  if (plan !== undefined && plan.mode !== "directed") {
    const prio = priorityChange(plan, t.name, passes);
    if (prio >= 0) {
      nextPrio.set(t.ident, prio);
      // What a shrinking explore reads back (a forced switch, after the point just passed).
      if (outFile !== undefined && outFile !== "")
        note({ type: "change", thread: t.name, pass: passes, prio, at: table.descOf(slot) });
    }
  }
  table.setState(slot, blocksAfter(kind) ? table.BLOCKED : table.RUNNING);
}

function directedState(): DirectedPlanState | undefined {
  return plan?.mode === "directed" ? { plan, words, note } : undefined;
}

/** A synchronization point of Sync code: may block the OS thread until it is this one's turn. */
export function pointSync(kind: PointKind, object: PointObject, label?: string): void {
  const t = pointThread();
  const slot = slotFor(t);
  if (slot < 0) return;
  arrive(slot, t, kind, object, label);
  const directed = directedState();
  if (directed !== undefined) {
    if (directedArrive(directed, slot, t, kind, object)) {
      while (!directedTurn(directed)) {
        rawWait(words, table.CHANGE, Atomics.load(words, table.CHANGE), 10);
      }
    }
  } else {
    const clock = new StallClock(t.name);
    let stopped = false;
    for (;;) {
      const seen = Atomics.load(words, table.CHANGE);
      const b = blocker(slot, true);
      if (b < 0) break;
      if (!stopped) {
        stopped = true;
        table.setSyncWait(slot, true);
        table.bump();
        continue;
      }
      if (clock.expired(b)) continue;
      rawWait(words, table.CHANGE, seen, 10);
    }
    if (stopped) table.setSyncWait(slot, false);
  }
  pass(slot, t, kind);
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A synchronization point of async code: resolves when it is this logical thread's turn. */
export async function pointAsync(
  kind: PointKind,
  object: PointObject,
  label?: string,
): Promise<void> {
  // A branch's first operation runs before its combinator is called, when its stack does not
  // show it yet: one hop first, then it is told apart (as recordIdent.ts does).
  await undefined;
  const t = pointThread();
  const slot = slotFor(t);
  if (slot < 0) return;
  arrive(slot, t, kind, object, label);
  // A pending waitAsync does not keep the event loop alive; a timer does.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    const directed = directedState();
    if (directed !== undefined) {
      if (directedArrive(directed, slot, t, kind, object)) {
        // A hold lasts up to holdMs: a timer, not a busy turn of the event loop.
        while (!directedTurn(directed)) await new Promise((resolve) => setTimeout(resolve, 2));
      }
    } else {
      const clock = new StallClock(t.name);
      for (;;) {
        const seen = Atomics.load(words, table.CHANGE);
        const b = blocker(slot, false);
        if (b < 0) break;
        if (clock.expired(b)) continue;
        // A task of this thread needs the event loop; a thread elsewhere only a change.
        if (table.hostOf(b) === threadSelf.ident) await nextTurn();
        else {
          const waited = rawWaitAsync(words, table.CHANGE, seen, 10);
          if (waited.async) await waited.value;
        }
      }
    }
  } finally {
    clearInterval(keepAlive);
  }
  pass(slot, t, kind);
}
