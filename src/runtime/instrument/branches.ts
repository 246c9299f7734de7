// Logical threads without spawn (DESIGN 3.1): the branches of Promise.all/allSettled/any/race.
//
// Mechanism. On Node 20 neither async_hooks trigger chains (both branches' continuations
// trigger from the awaited promise) nor AsyncLocalStorage.enterWith (it leaks into the
// caller's remaining synchronous code) separate two branches. V8's async stack trace does
// (branchPath.ts): an instrumented operation (instrument/asyncMutex.ts) hands the program a
// promise derived from a reaction of its own, and reads the stack inside that reaction. The
// same branch gets the same logical thread at every later operation.
//
// Cost. Every acquisition needs its logical thread, even an uncontended one outside any other
// lock: a lock's holder is only knowable when it takes the lock, and a later waiter (the
// wait-for graph) or a later nested acquisition by the same branch (the lock-order graph)
// needs it. What is expensive is not the capture but the stack text: with source maps on,
// formatting it maps every frame. So the stack is read as V8's structured call sites, keyed
// by their generated positions (no formatting, no source map), and the text, the branch and
// the source-mapped site are computed once per distinct key (call path) and cached.
//
// Limits (documented): a branch is only told apart once the combinator has been called and
// holds it (operations run in a microtask after the synchronous part, by which time it has); a
// call that is not awaited at once outside a combinator (`const p = f(); await g(); await p`)
// stays in its caller's logical thread; two combinator calls from the same await site in
// sequence reuse the same branch threads (they never overlap, so no false deadlock comes of
// it); Promise.race has no async frame in V8, so the preload runs it as an all
// (raceBranches.ts).
import { currentIdent, currentLogicalThread } from "../logicalThread.ts";
import { announce, captureStack, emitPrecise, siteOfStack } from "../recording.ts";
import { nextLogicalThreadId } from "../world.ts";
import { branchName, branchPathOf } from "./branchPath.ts";

/** Branch threads of this OS thread, by parent ident and branch path key. */
const branches = new Map<string, number>();
/** Their names, by ident. */
const names = new Map<number, string>();

/** The name of branch thread `ident` of this OS thread ("main/Promise.all[1]@app.ts:17"). */
export function branchNameOf(ident: number): string | undefined {
  return names.get(ident);
}

/** The logical thread running the operation whose reaction captured `stack`. */
export function branchIdent(stack: string): number {
  const parent = currentIdent();
  const branch = branchPathOf(stack);
  if (branch === undefined) return parent;
  const key = `${parent}|${branch.key}`;
  let ident = branches.get(key);
  if (ident === undefined) {
    ident = nextLogicalThreadId();
    branches.set(key, ident);
    const name = branchName(currentLogicalThread().name, branch);
    names.set(ident, name);
    // Recorded like a spawned task: a logical thread of its host, started by its parent.
    announce({ type: "thread", ident, name, kind: "task", parent, daemon: false });
    emitPrecise("thread-start", ident, parent, 0, false);
  }
  return ident;
}

export interface BranchSite {
  /** The logical thread (a branch, or the caller's own). */
  readonly ident: number;
  /** The interned call site. */
  readonly site: number;
}

const MAX_CACHED = 4096;
const STACK_FRAMES = 40;

/**
 * A call path as numbers: per frame a script id (combinator frames: the negated index of the
 * combinator name) and the generated line and column (combinator frames: the element index).
 */
interface CallPath {
  readonly words: Int32Array;
  readonly hash: number;
}

const scriptIds = new Map<string, number>();

function scriptId(name: string): number {
  let id = scriptIds.get(name);
  if (id === undefined) scriptIds.set(name, (id = scriptIds.size + 1));
  return id;
}

let scratch = new Int32Array(STACK_FRAMES * 3);

function readCallPath(_error: Error, sites: NodeJS.CallSite[]): CallPath {
  if (scratch.length < sites.length * 3) scratch = new Int32Array(sites.length * 3);
  let hash = sites.length;
  let n = 0;
  for (const site of sites) {
    const file = site.getFileName();
    const noFile = file === undefined || file === null;
    const a = noFile ? -scriptId(site.getFunctionName() ?? "") : scriptId(file);
    const b = noFile ? (site.getPromiseIndex() ?? -1) : (site.getLineNumber() ?? 0);
    const c = noFile ? 0 : (site.getColumnNumber() ?? 0);
    scratch[n++] = a;
    scratch[n++] = b;
    scratch[n++] = c;
    hash = Math.imul(hash ^ a, 0x9e3779b1);
    hash = Math.imul(hash ^ b, 0x85ebca6b);
    hash = Math.imul(hash ^ c, 0xc2b2ae35);
  }
  return { words: scratch.subarray(0, n), hash: hash >>> 0 };
}

function currentCallPath(): CallPath {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  Error.prepareStackTrace = readCallPath as typeof Error.prepareStackTrace;
  Error.stackTraceLimit = STACK_FRAMES;
  try {
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder);
    // Read here: V8 formats (calls prepareStackTrace) on the first read.
    return holder.stack as CallPath;
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}

interface CachedPath extends BranchSite {
  readonly parent: number;
  readonly words: Int32Array;
}

/** Cached paths by hash (collisions are told apart by comparing the words). */
const byCallPath = new Map<number, CachedPath[]>();
let cached = 0;

function sameWords(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The logical thread and call site of the code running now (in an operation's reaction). */
export function branchAndSite(): BranchSite {
  const parent = currentIdent();
  const path = currentCallPath();
  const hash = (path.hash ^ Math.imul(parent, 0x27d4eb2f)) >>> 0;
  const candidates = byCallPath.get(hash);
  if (candidates !== undefined) {
    for (const entry of candidates) {
      if (entry.parent === parent && sameWords(entry.words, path.words)) return entry;
    }
  }
  const stack = captureStack();
  const entry: CachedPath = {
    ident: branchIdent(stack),
    site: siteOfStack(stack),
    parent,
    words: path.words.slice(),
  };
  // Deep recursion makes call paths without end: start over rather than grow without bound.
  if (cached >= MAX_CACHED) {
    byCallPath.clear();
    cached = 0;
  }
  cached++;
  if (candidates === undefined) byCallPath.set(hash, [entry]);
  else candidates.push(entry);
  return entry;
}
