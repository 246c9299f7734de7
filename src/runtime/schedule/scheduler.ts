// The scheduler of controlled runs (DESIGN 8.1). Synchronization points (acquisitions, waits,
// sets, puts/gets, starts, joins, spawns, Promise.all branch starts) pass through pointSync()
// or pointAsync() when a schedule is in force (THREADLENS_SCHEDULE); without one, `scheduleOn`
// is false and the runtime never calls in here.
//
// Randomized plans (PCT, random walk) give every logical thread a priority drawn from the seed
// and its name (so the draw does not depend on which thread arrives first): a thread at a
// point waits while a higher-priority thread is running (or waiting at a point of its own),
// and goes once that one reaches a point, blocks, ends, or stays away longer than STALL_MS
// (then it is stalled until its next point, so a sleeping or I/O-bound thread costs that wait
// once). Async tasks of one thread take turns exactly, at macrotask boundaries; across worker
// threads the order is enforced at the points. A directed plan holds the threads of a
// predicted cycle at their second acquisition (see directed.ts).
import { appendFileSync } from "node:fs";
import { isMainThread } from "node:worker_threads";
import {
  ENV_SCHEDULE,
  ENV_SCHEDULE_OUT,
  ScheduleTokenError,
  decodeSchedule,
  hash32,
  type ScheduleNote,
  type SchedulePlan,
} from "../../protocol/schedule.ts";
import { currentLogicalThread, threadSelf, type LogicalThread } from "../logicalThread.ts";
import { KIND_FIELD } from "../primitive.ts";
import { rawWait, rawWaitAsync } from "../rawAtomics.ts";
import { directedArrive, directedTurn, type DirectedPlanState } from "./directed.ts";
import * as table from "./table.ts";

export type PointKind =
  "acquire" | "wait" | "notify" | "set" | "put" | "get" | "start" | "join" | "spawn" | "branch";

/** What a point is about: a primitive (its name; for locks, who holds it), a thread, a task. */
export interface PointObject {
  readonly name: string;
  isHeldBy?(ident: number): boolean;
  readonly locked?: boolean;
}

const VERBS: Record<PointKind, string> = {
  acquire: "acquiring",
  wait: "waiting on",
  notify: "notifying",
  set: "setting",
  put: "putting into",
  get: "getting from",
  start: "starting",
  join: "joining",
  spawn: "spawning",
  branch: "starting a branch in",
};

/** Points after which the thread is (most likely) blocked: nobody need wait for it. */
function blocksAfter(kind: PointKind, object: PointObject, ident: number): boolean {
  if (kind === "wait" || kind === "join" || kind === "get") return true;
  return kind === "acquire" && object.locked === true && object.isHeldBy?.(ident) !== true;
}

/** How long a thread waits for a higher-priority one that reaches no point. */
const STALL_MS = 250;
/** Priorities of randomized plans lie above the `depth` values PCT lowers threads to. */
const PRIO_RANGE = 1_000_000;

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

export function note(message: ScheduleNote): void {
  if (outFile === undefined || outFile === "") return;
  try {
    appendFileSync(outFile, `${JSON.stringify(message)}\n`);
  } catch {
    // The supervisor is gone or the file unwritable: the run itself goes on.
  }
}

// PCT: at step changeAt[k] the passing thread drops to priority depth - 1 - k.
const changeAt = new Map<number, number>();
if (plan !== undefined && plan.mode === "pct") {
  for (let k = 0; k < plan.depth - 1; k++) {
    changeAt.set(
      1 + (hash32(plan.seed, `change:${k}`) % Math.max(plan.steps, 1)),
      plan.depth - 1 - k,
    );
  }
}
if (scheduleOn && isMainThread) {
  process.on("exit", () => note({ type: "steps", steps: Atomics.load(words, table.STEP) }));
}

function initialPrio(name: string): number {
  if (plan === undefined || plan.mode === "directed") return 0;
  return plan.depth + (hash32(plan.seed, name) % PRIO_RANGE);
}

const slots = new Map<number, number>();

function slotFor(t: LogicalThread): number {
  const known = slots.get(t.ident);
  if (known !== undefined && table.identOf(known) === t.ident) return known;
  const slot = table.claimSlot(t.ident, threadSelf.ident, t.name, initialPrio(t.name));
  if (slot < 0) return slot;
  slots.set(t.ident, slot);
  if (t.ident === threadSelf.ident && !isMainThread) {
    process.once("exit", () => table.releaseSlot(slot));
  }
  return slot;
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
    // A thread blocked at a Sync point stops its OS thread: its tasks cannot run meanwhile.
    if (sync && table.hostOf(s) === threadSelf.ident) continue;
    const p = table.prioOf(s);
    if (p > mine || (p === mine && table.identOf(s) < myIdent)) return s;
  }
  return -1;
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

function arrive(slot: number, kind: PointKind, object: PointObject, label?: string): void {
  table.describeSlot(slot, describePoint(kind, object, label));
  table.setState(slot, table.AT_POINT);
}

function pass(slot: number, t: LogicalThread, kind: PointKind, object: PointObject): void {
  const passes = table.countPass(slot);
  const step = Atomics.add(words, table.STEP, 1) + 1;
  if (plan?.mode === "pct") {
    const lowered = changeAt.get(step);
    if (lowered !== undefined) table.setPrio(slot, lowered);
  } else if (plan?.mode === "random") {
    table.setPrio(slot, plan.depth + (hash32(plan.seed, `${t.name}#${passes}`) % PRIO_RANGE));
  }
  table.setState(slot, blocksAfter(kind, object, t.ident) ? table.BLOCKED : table.RUNNING);
}

function directedState(): DirectedPlanState | undefined {
  return plan?.mode === "directed" ? { plan, words, note } : undefined;
}

/** A synchronization point of Sync code: may block the OS thread until it is this one's turn. */
export function pointSync(kind: PointKind, object: PointObject, label?: string): void {
  const t = currentLogicalThread();
  const slot = slotFor(t);
  if (slot < 0) return;
  arrive(slot, kind, object, label);
  const directed = directedState();
  if (directed !== undefined) {
    if (directedArrive(directed, slot, t, kind, object)) {
      while (!directedTurn(directed)) {
        rawWait(words, table.CHANGE, Atomics.load(words, table.CHANGE), 10);
      }
    }
  } else {
    let started = performance.now();
    for (;;) {
      const seen = Atomics.load(words, table.CHANGE);
      const b = blocker(slot, true);
      if (b < 0) break;
      if (performance.now() - started > STALL_MS) {
        table.markStalled(b);
        started = performance.now();
        continue;
      }
      rawWait(words, table.CHANGE, seen, 10);
    }
  }
  pass(slot, t, kind, object);
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A synchronization point of async code: resolves when it is this logical thread's turn. */
export async function pointAsync(
  kind: PointKind,
  object: PointObject,
  label?: string,
): Promise<void> {
  const t = currentLogicalThread();
  const slot = slotFor(t);
  if (slot < 0) return;
  arrive(slot, kind, object, label);
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
      let started = performance.now();
      for (;;) {
        const seen = Atomics.load(words, table.CHANGE);
        const b = blocker(slot, false);
        if (b < 0) break;
        if (performance.now() - started > STALL_MS) {
          table.markStalled(b);
          started = performance.now();
          continue;
        }
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
  pass(slot, t, kind, object);
}
