// The fix suggestions' texts, shared by the runtime analysis (suggestions.ts) and the static
// analyzer (static/findings.ts), so that a warning while editing and a finding from a run offer
// the same fixes in the same words. `where` arguments are "" or " in doB (app.ts:20)"-style.
import { traitsOf, type ObjectKind } from "../protocol/kinds.ts";
import type { Suggestion, TextEdit } from "../protocol/report.ts";

/**
 * Why every timeout fix is a message and never an edit (issue 11): no code shape makes one
 * safe. A timeout ends a wait but removes no cause of it: the threads keep taking the locks in
 * both orders, so the re-analysis of any edited text (static, and the run's orderings) would
 * still find the cycle and withhold it; and an acquisition that now returns false must be
 * handled by code only its author can write (release what it holds and retry, or fail), or
 * the thread would go on as if it held the lock.
 */
export const TIMEOUT_NOT_AN_EDIT =
  "a message and not an edit: a timeout ends the wait but not its cause; what the thread " +
  "must do when it expires (release what it holds and retry or fail) is the program's choice";

/** `message`, saying why it comes without an edit. */
export function timeoutMessage(message: string): string {
  return `${message} (${TIMEOUT_NOT_AN_EDIT})`;
}

/** Pass a timeout to the acquisition `where`, for a lock-order cycle. */
export function cycleTimeoutSuggestion(where: string): Suggestion {
  return {
    kind: "add-timeout",
    message: timeoutMessage(
      `pass a timeout to the acquisition${where} (\`acquire({ timeout })\`) and ` +
        `back off when it returns false: a thread caught in the cycle then gives up instead of ` +
        `blocking forever`,
    ),
  };
}

/**
 * The fixes of a two-lock inversion: one global order (with `edit` swapping the acquisitions
 * `where` the order is broken, when that is safe), acquireAll, one RLock for both, a timeout
 * (at `timeoutWhere`). `reason` says why this order was chosen.
 */
export function twoLockSuggestionSet(
  first: string,
  second: string,
  reason: string,
  where: string,
  edit: TextEdit | undefined,
  timeoutWhere: string,
): Suggestion[] {
  const order: Suggestion = {
    kind: "global-order",
    message:
      `take ${first} before ${second} everywhere (${reason}): swap the two ` +
      `acquisitions${where}, which takes ${second} then ${first}; with one order no ` +
      `two threads can each hold one lock and wait for the other`,
  };
  return [
    edit === undefined ? order : { ...order, edit },
    {
      kind: "acquire-all",
      message:
        `take both with \`acquireAll([${first}, ${second}])\`${where} ` +
        `(one global order, all or nothing), so that no thread holds one while waiting for the other`,
    },
    {
      kind: "use-rlock",
      message:
        `if ${first} and ${second} need not be held separately, guard their data with ` +
        `one RLock instead: a single lock cannot be taken in two orders`,
    },
    cycleTimeoutSuggestion(timeoutWhere),
  ];
}

/**
 * The fixes of a thread taking a non-reentrant Lock it holds: make it an RLock (created
 * `creationWhere`; with `edit` when safe; omitted when `lock` is undefined: not a plain Lock),
 * or a timeout at the acquisition `waitWhere`.
 */
export function selfDeadlockSuggestionSet(
  lock: string | undefined,
  creationWhere: string,
  edit: TextEdit | undefined,
  waitWhere: string,
): Suggestion[] {
  const suggestions: Suggestion[] = [];
  if (lock !== undefined) {
    const rlock: Suggestion = {
      kind: "use-rlock",
      message:
        `create ${lock} as an RLock${creationWhere}: an RLock may be taken again by ` +
        `the thread that holds it, so the nested acquisition no longer waits for itself`,
    };
    suggestions.push(edit === undefined ? rlock : { ...rlock, edit });
  }
  suggestions.push({
    kind: "add-timeout",
    message: timeoutMessage(
      `pass a timeout to the acquisition${waitWhere} (\`acquire({ timeout })\`): ` +
        `the thread then fails instead of waiting forever for a lock it holds itself`,
    ),
  });
  return suggestions;
}

/**
 * The fixes of a lock cycle that fit the kinds of its locks (undefined: not known; "lock": a
 * Lock or an RLock, as the static analysis' `AnyLock`). `acquireAll` takes Locks and RLocks
 * only (runtime/acquireAll.ts); where one lock is shared by readers (an RWLock), one RLock for
 * all would take away the sharing the program chose.
 */
export function fixesForLocks(
  suggestions: Suggestion[],
  kinds: readonly (ObjectKind | "lock" | undefined)[],
): Suggestion[] {
  const exclusive = (k: ObjectKind | "lock" | undefined): boolean =>
    k === undefined || k === "lock" || k === "Lock" || k === "RLock";
  const sharable = kinds.some((k) => k !== undefined && k !== "lock" && traitsOf(k).sharable);
  return suggestions.filter(
    (s) =>
      (s.kind !== "acquire-all" || kinds.every(exclusive)) && (s.kind !== "use-rlock" || !sharable),
  );
}
