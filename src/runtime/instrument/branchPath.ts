// Which branch of a Promise combinator a stack belongs to (DESIGN 3.1): the pure part of
// branches.ts, tested with stack strings.
//
// V8's async stack trace, read in a promise reaction whose derived promise an async function
// awaits, walks that function's await chain; where the chain passes through a combinator it
// shows `at async Promise.all (index N)` (also allSettled and any; V8 writes no async frame
// for race, so the preload runs race as an all whose frame is followed by the frame of its
// `threadlensRace` wrapper: raceBranches.ts). The frames from the innermost combinator frame outward name the branch: its
// index, and the chain of async callers that led to that combinator. Frames inside the branch
// (which function of the branch is running, on which line) are not part of it, so every
// operation of one branch has the same path, and the same function called as two branches
// has two (different indexes). A branch nested in another has the outer combinator's frame in
// its chain, so it has a path of its own.
import path from "node:path";
import { parseFrame } from "../stackFrames.ts";

const COMBINATOR = /^\s*at async Promise\.(all|allSettled|any) \(index (\d+)\)\s*$/;
/** The frames of the preload's own wrappers of the combinators (combinators.ts). */
const WRAPPER = /^\s*at async (?:\S+\.)?threadlens(?:Combinator|Race|RaceBranch) \(/;
/** The frame of the preload's race, right outside the all it runs (raceBranches.ts). */
const RACE = /^\s*at async (?:\S+\.)?threadlensRace \(/;

export type Combinator = "all" | "allSettled" | "any" | "race";

export interface BranchPath {
  readonly combinator: Combinator;
  readonly index: number;
  /** The innermost combinator frame and every frame outside it: one key per branch. */
  readonly key: string;
  /** "file.ts:17" of the first program frame outside the combinator (where it is awaited). */
  readonly where: string | undefined;
}

/** The branch the code that captured `stack` runs in; undefined outside any combinator. */
export function branchPathOf(stack: string): BranchPath | undefined {
  const lines = stack.split("\n");
  for (let at = 0; at < lines.length; at++) {
    const m = COMBINATOR.exec(lines[at] ?? "");
    if (m === null) continue;
    const race = m[1] === "all" && RACE.test(lines[at + 1] ?? "");
    const combinator = race ? "race" : (m[1] as Combinator);
    const outer = lines.slice(at + 1).filter((line) => !WRAPPER.test(line));
    const frame = `at async Promise.${combinator} (index ${m[2]})`;
    return {
      combinator,
      index: Number(m[2]),
      key: [frame, ...outer].map((line) => line.trim()).join("|"),
      where: firstProgramFrame(outer),
    };
  }
  return undefined;
}

function firstProgramFrame(lines: readonly string[]): string | undefined {
  for (const line of lines) {
    const frame = parseFrame(line);
    if (frame === undefined || frame.file.startsWith("node:")) continue;
    return `${path.basename(frame.file)}:${frame.line}`;
  }
  return undefined;
}

/** The logical thread name of a branch started by `owner`: "main/Promise.all[1]@app.ts:17". */
export function branchName(owner: string, branch: BranchPath): string {
  const where = branch.where === undefined ? "" : `@${branch.where}`;
  return `${owner}/Promise.${branch.combinator}[${branch.index}]${where}`;
}
