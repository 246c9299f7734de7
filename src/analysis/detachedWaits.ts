// DESIGN 5.6: a wait left pending while its logical thread goes on running is not a hang (nor
// a deadlock): the thread did not wait for it. A fire-and-forget `mutex.acquire()` probing a
// held lock, a waitAsync whose promise nobody awaits: the thread that started it then
// completes something else (takes another lock, sets an event, gets another wait's result).
// Such a wait is taken out of the thread's pending blockings (RunState), so no finding counts
// the thread as blocked by it; its own end, should it come, is applied as usual.
//
// Not detached: Condition waits (they release their lock and re-take it inside the wait) and
// joins (a parent awaiting several workers' ends gets one end while the others are pending).
import type { TraceEvent } from "../protocol/events.ts";
import type { Dictionary } from "./dictionary.ts";
import type { Blocking } from "./blockings.ts";
import { unreachable } from "../protocol/unreachable.ts";

/** Events by which a thread shows it ran on: it completed or did something. */
function ranOn(kind: TraceEvent["kind"]): boolean {
  switch (kind) {
    case "acquired":
    case "acquire-timeout":
    case "release":
    case "wait-end":
    case "notify":
    case "set":
    case "clear":
    case "put":
    case "get":
    case "task-done":
      return true;
    case "acquire-request":
    case "bad-release":
    case "create":
    case "join-begin":
    case "join-end":
    case "loop-idle":
    case "over-release":
    case "pool-misuse":
    case "thread-exit":
    case "thread-start":
    case "terminate":
    case "wait-begin":
      return false;
    default:
      return unreachable(kind);
  }
}

function detachable(blocking: Blocking, dict: Dictionary): boolean {
  if (blocking.kind === "join") return false;
  return blocking.kind === "acquire" || dict.traits(blocking.object).waits !== "condition";
}

/** Whether `event` ends `blocking` (then it is not a sign of running on past it). */
function ends(event: TraceEvent, blocking: Blocking): boolean {
  if (blocking.kind === "join" || blocking.object !== event.object) return false;
  if (blocking.kind === "acquire")
    return event.kind === "acquired" || event.kind === "acquire-timeout";
  return event.kind === "wait-end";
}

/**
 * Call before the state applies `event` of a thread: removes from its pending `blockings` and
 * returns those `event` shows it ran on past. Cheap when the thread has none pending (the common
 * case: this runs for every event).
 */
export function detachRanOnWaits(
  blockings: Blocking[],
  event: TraceEvent,
  dict: Dictionary,
): Blocking[] | undefined {
  if (blockings.length === 0 || !ranOn(event.kind)) return undefined;
  // The innermost pending wait this event ends is the one it belongs to.
  let ended = -1;
  for (let i = blockings.length - 1; i >= 0; i--) {
    if (ends(event, blockings[i] as Blocking)) {
      ended = i;
      break;
    }
  }
  // Only waits begun before the one it ends: one begun after it may still be awaited with it
  // (Promise.all over two acquisitions of one thread).
  let detached: Blocking[] | undefined;
  for (let i = (ended >= 0 ? ended : blockings.length) - 1; i >= 0; i--) {
    const blocking = blockings[i] as Blocking;
    if (!detachable(blocking, dict)) continue;
    (detached ??= []).push(blocking);
    blockings.splice(i, 1);
  }
  return detached;
}
