// Why each live thread is where it is, in a few words ("deadlocked on lockB", "waiting for
// event go"): the Call Stack's per-thread label, the Threads view's details and the lanes'
// cycle marks all read it, so every view tells the same story the findings tell. Built on the
// wait-for graph of waitForGraph.ts (one computation of the cycle), never on its own rules.
import type { WaitReason } from "../protocol/events.ts";
import type { Blocking, RunState } from "./runState.ts";
import { findActualDeadlocks, type DeadlockAnalysis } from "./waitForGraph.ts";

/** How a thread stands towards the deadlocks of the current state. */
export type ThreadRole = "cycle" | "behind-cycle" | "blocked" | "free";

export interface ThreadReason {
  readonly ident: number;
  readonly role: ThreadRole;
  /** Short, lower-case: "deadlocked on lockB", "waiting for event go", "running". */
  readonly text: string;
  /** The primitive (or joined thread) it waits for, by name; undefined when not blocked. */
  readonly on: string | undefined;
}

/** What a pending wait of `reason` on an object of this kind is, as a verb phrase. */
const WAIT_PHRASE: Readonly<Record<WaitReason, string>> = {
  wait: "waiting for",
  get: "waiting to get from",
  put: "waiting to put into",
  join: "waiting for the tasks of",
  barrier: "waiting at",
};

/** The kind word users know a primitive by ("event go", "condition ready", "queue jobs"). */
function kindWord(kind: string | undefined): string {
  if (kind === undefined || kind === "Atomics") return kind === "Atomics" ? "word" : "";
  if (kind.endsWith("Queue")) return "queue";
  return kind.charAt(0).toLowerCase() + kind.slice(1).replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** What `blocking` waits on: "lockB", "event go", "join worker-2". */
export function blockingTarget(state: RunState, blocking: Blocking): string {
  if (blocking.kind === "join") return state.dict.threadName(blocking.target);
  const name = state.dict.objectName(blocking.object);
  if (blocking.kind === "acquire") return name;
  const word = kindWord(state.dict.objectKind(blocking.object));
  return word === "" ? name : `${word} ${name}`;
}

function blockedText(state: RunState, blocking: Blocking): string {
  const target = blockingTarget(state, blocking);
  if (blocking.kind === "join") return `joining ${target}`;
  if (blocking.kind === "acquire") return `blocked on ${target}`;
  if (state.dict.objectKind(blocking.object) === "Atomics" && blocking.timed) return "sleeping";
  return `${WAIT_PHRASE[blocking.reason]} ${target}`;
}

/**
 * Every live thread's reason, in ident order. `deadlocks` is the analysis of `state` when the
 * caller has it already (the recorder's stop), else it is computed here.
 */
export function threadReasons(
  state: RunState,
  deadlocks: DeadlockAnalysis = findActualDeadlocks(state),
): ThreadReason[] {
  const inCycle = new Set(deadlocks.cycles.flatMap((c) => c.cycle));
  return state
    .liveThreads()
    .sort((a, b) => a.ident - b.ident)
    .map((thread): ThreadReason => {
      const blocking = thread.blocking;
      if (blocking === undefined) {
        return { ident: thread.ident, role: "free", text: "running", on: undefined };
      }
      const on = blockingTarget(state, blocking);
      if (inCycle.has(thread.ident)) {
        const text = blocking.kind === "join" ? `deadlocked joining ${on}` : `deadlocked on ${on}`;
        return { ident: thread.ident, role: "cycle", text, on };
      }
      const text = blockedText(state, blocking);
      if (deadlocks.stuck.has(thread.ident)) {
        const stuck = text.startsWith("blocked on ") ? `stuck on ${on}` : `stuck ${text}`;
        return { ident: thread.ident, role: "behind-cycle", text: stuck, on };
      }
      return { ident: thread.ident, role: "blocked", text, on };
    });
}
