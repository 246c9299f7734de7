// Promise.all/allSettled/any branches under a controlled schedule (DESIGN 3.1, 8.1). A branch
// is a logical thread of its own, told apart at its points the way the recording tells it
// (V8's async stack, instrument/branches.ts). Two things the stack alone cannot give the
// scheduler, and this does, only while a schedule is in force:
// - Its start. A branch's synchronous part (up to its first await) runs before the combinator
//   is called, so no branch is visible before the call; at the call, every branch that is a
//   promise gets a placeholder slot, named as the recording will name it
//   ("main/Promise.all[1]@app.ts:17": the owner, the combinator, the index, the line of the
//   call) and with the priority that name draws, so a branch that has not reached a point yet
//   (it sleeps) is waited for like a started Thread. At its first point the branch takes the
//   placeholder over (scheduler.ts's slotFor). The call itself is a point ("branch").
// - Its end. Each branch promise is handed to the combinator through one `then` of our own
//   (one reaction: V8 still follows the chain through the derived promise, so the branch keeps
//   its `async Promise.all (index N)` frame); when it settles, the branch leaves the schedule.
import { isOwnFrame } from "../naming.ts";
import { currentLogicalThread, threadSelf } from "../logicalThread.ts";
import { captureStack } from "../recording.ts";
import { parseFrame } from "../stackFrames.ts";
import { nextLogicalThreadId } from "../world.ts";
import { onBranchStarts } from "../instrument/combinators.ts";
import * as table from "./table.ts";

export interface BranchScheduling {
  /** The priority a logical thread of this name starts with. */
  readonly prioOf: (name: string) => number;
  /** The combinator call's own point (its owner passes it like any point). */
  readonly point: (combinator: string) => void;
  /** A branch (its slot, its name) settled: it takes no more turns. */
  readonly ended: (slot: number, name: string) => void;
}

/** "app.ts:17" of the first program frame of the combinator's caller, or undefined. */
function callLine(): string | undefined {
  for (const line of captureStack().split("\n").slice(1)) {
    const frame = parseFrame(line);
    if (frame === undefined || frame.file.startsWith("node:") || isOwnFrame(frame.file)) continue;
    const file = frame.file.split(/[\\/]/).at(-1) ?? frame.file;
    return `${file}:${frame.line}`;
  }
  return undefined;
}

function isNativePromise(value: unknown): value is Promise<unknown> {
  return value instanceof Promise && value.constructor === Promise;
}

/** Installs the combinators' hook: placeholders at each call, ends at each branch's settling. */
export function scheduleBranches(scheduling: BranchScheduling): void {
  onBranchStarts((combinator, values) => {
    const list = Array.from(values);
    const where = callLine();
    scheduling.point(`Promise.${combinator}`);
    if (where === undefined) return list;
    const owner = currentLogicalThread().name;
    return list.map((value, index) => {
      if (!isNativePromise(value)) return value;
      const name = `${owner}/Promise.${combinator}[${index}]@${where}`;
      // A negative ident: a placeholder until the branch's first point claims it.
      const slot = table.claimSlot(
        -nextLogicalThreadId(),
        threadSelf.ident,
        name,
        scheduling.prioOf(name),
      );
      if (slot < 0) return value;
      const end = (): void => scheduling.ended(slot, name);
      return value.then(
        (result) => {
          end();
          return result;
        },
        (error: unknown) => {
          end();
          throw error;
        },
      );
    });
  });
}
