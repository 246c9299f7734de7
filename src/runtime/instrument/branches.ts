// Logical threads without spawn (DESIGN 3.1): the branches of Promise.all/allSettled/any.
//
// Mechanism. On Node 20 neither async_hooks trigger chains (both branches' continuations
// trigger from the awaited promise) nor AsyncLocalStorage.enterWith (it leaks into the
// caller's remaining synchronous code) separate two branches. V8's async stack trace does: in
// a promise reaction whose derived promise an async function awaits, the stack walks that
// function's await chain up through Promise.all, which names the element as
// `at async Promise.all (index N)`. So an instrumented operation (instrument/asyncMutex.ts)
// hands the program a promise derived from a reaction of its own, and reads the stack inside
// that reaction: the frames from the innermost `Promise.<combinator> (index N)` outward
// identify the branch (index, and the chain of async callers that led to that Promise.all).
// The same branch gets the same logical thread at every later operation; a branch nested in
// another branch has a key of its own (its chain includes the outer index).
//
// Limits (documented): a branch is only told apart once Promise.all has been called and holds
// it (operations run in a microtask after the synchronous part, by which time it has); a call
// that is not awaited at once outside a combinator (`const p = f(); await g(); await p`)
// stays in its caller's logical thread; two Promise.all calls from the same await site in
// sequence reuse the same branch threads (they never overlap, so no false deadlock comes of it).
import { currentIdent, currentLogicalThread } from "../logicalThread.ts";
import { announce, emitPrecise } from "../recording.ts";
import { nextLogicalThreadId } from "../world.ts";
import { parseFrame } from "../naming.ts";
import path from "node:path";

const COMBINATOR = /^\s*at async Promise\.(all|allSettled|any) \(index (\d+)\)\s*$/;

interface Branch {
  readonly ident: number;
  readonly name: string;
}

/** Branch threads of this OS thread, by parent ident and combinator chain. */
const branches = new Map<string, Branch>();

/** The logical thread running the operation whose reaction captured `stack`. */
export function branchIdent(stack: string): number {
  const lines = stack.split("\n");
  const at = lines.findIndex((line) => COMBINATOR.test(line));
  const parent = currentIdent();
  if (at < 0) return parent;
  const chain = lines.slice(at).map((line) => line.trim());
  const key = `${parent}|${chain.join("|")}`;
  let branch = branches.get(key);
  if (branch === undefined) {
    branch = newBranch(parent, lines[at] ?? "", lines.slice(at + 1));
    branches.set(key, branch);
  }
  return branch.ident;
}

function newBranch(parent: number, combinatorLine: string, outer: readonly string[]): Branch {
  const m = COMBINATOR.exec(combinatorLine);
  let where = "";
  for (const line of outer) {
    const frame = parseFrame(line);
    if (frame === undefined || frame.file.startsWith("node:")) continue;
    where = `@${path.basename(frame.file)}:${frame.line}`;
    break;
  }
  const owner = currentLogicalThread().name;
  const name = `${owner}/Promise.${m?.[1] ?? "all"}[${m?.[2] ?? "?"}]${where}`;
  const ident = nextLogicalThreadId();
  // Recorded like a spawned task: a logical thread of its host, started by its parent.
  announce({ type: "thread", ident, name, kind: "task", parent, daemon: false });
  emitPrecise("thread-start", ident, parent, 0, false);
  return { ident, name };
}
