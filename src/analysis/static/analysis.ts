// The whole-program walk: every function of the analyzed files (and each module's top-level
// code) is walked holding nothing, and calls are followed into callees with the caller's held
// set and bound lock parameters, up to a depth bound. Walks are memoized per function,
// environment and held set. What taking a lock means is recorded here: lock-order edges, and
// a non-reentrant Lock taken again on a path that holds it.
import ts from "typescript";
import { functionName, inlineFunction, type FunctionNode } from "./calls.ts";
import { stateKey, type WalkContext } from "./flow.ts";
import { LockResolver } from "./locks.ts";
import { Relevance } from "./relevance.ts";
import { traitsOf } from "../../protocol/kinds.ts";
import type { Env, Hold, LockKind, LockRef, Reacquire, Site, State, StaticEdge } from "./types.ts";
import { Walker } from "./walker.ts";
import { SHARED_GATE } from "./graph.ts";

export interface WalkLimits {
  /** How deep calls are followed (default 8). */
  readonly maxCallDepth?: number;
  /** Function walks in all (default 200,000); beyond it calls are no longer followed. */
  readonly maxWalks?: number;
  /**
   * Time for the walk of one file's code (ms, default 10 s), calls it follows into other files
   * included; when it is spent the rest of that file is not walked, and the file is listed in
   * `overBudget` (findings there may be missing).
   */
  readonly fileBudgetMs?: number;
}

export const FILE_BUDGET_MS = 10_000;

/** What one walk of a function (one memo entry) recorded: incremental.ts re-uses it. */
export interface WalkRecord {
  readonly fn: FunctionNode;
  /** Keys (in `edges`) of the edges taken in the function's own code. */
  readonly edges: string[];
  /** Keys (in `reacquires`) of the re-acquisitions in its own code. */
  readonly reacquires: string[];
  /** Memo keys of the walks it asked for (calls, callbacks), hits included. */
  readonly calls: string[];
}

/** Per-function records of a tracked walk (ProgramWalk's `tracking` option). */
export interface WalkTracking {
  /** By memo key: the last walk made with it. */
  readonly records: Map<string, WalkRecord>;
  /** Each root walked, in order, with its walk's memo key (none: not walked). */
  readonly roots: { readonly fn: FunctionNode; key: string | undefined }[];
  /** The functions each function's walks asked to walk. */
  readonly callees: Map<FunctionNode, Set<FunctionNode>>;
}

const ROOT_ENV: Env = { bindings: new Map(), thisKnown: true };

export class ProgramWalk implements WalkContext {
  readonly resolver: LockResolver;
  readonly analyzed: ReadonlySet<string>;
  readonly maxDepth: number;
  readonly edges = new Map<string, StaticEdge>();
  readonly reacquires = new Map<string, Reacquire>();
  readonly #maxWalks: number;
  readonly #relevance: Relevance;
  readonly #nodeIds = new Map<ts.Node, number>();
  readonly #sites = new Map<ts.Node, Site>();
  readonly #memo = new Map<string, { readonly state: State; readonly depth: number }>();
  readonly #active = new Set<string>();
  #walks = 0;
  readonly #fileBudgetMs: number;
  /** Time spent walking each root file, by file name. */
  readonly #spent = new Map<string, number>();
  /** When the walk of the current root function must stop following calls. */
  #deadline = Infinity;
  /** Root files whose walk stopped at the time budget. */
  readonly overBudget = new Set<string>();
  /** Per-function records, when asked for (`track`). */
  readonly tracking: WalkTracking | undefined;
  /** The walks under way, innermost last (tracked walks only). */
  readonly #stack: WalkRecord[] = [];
  /** The memo key of the last walk asked for with nothing under way. */
  #topKey: string | undefined;

  /** Files whose code is walked (the others only declare what it uses). */
  readonly roots: readonly ts.SourceFile[];

  /**
   * The walk of `roots` (default: all of `sourceFiles`); calls are followed, and locks
   * identified, in any of `sourceFiles`.
   */
  constructor(
    program: ts.Program,
    readonly sourceFiles: readonly ts.SourceFile[],
    limits: WalkLimits = {},
    roots: readonly ts.SourceFile[] = sourceFiles,
    track = false,
  ) {
    const order = new Map(sourceFiles.map((sf, i) => [sf.fileName, i]));
    this.resolver = new LockResolver(program.getTypeChecker(), order);
    this.analyzed = new Set(order.keys());
    this.maxDepth = limits.maxCallDepth ?? 8;
    this.#maxWalks = limits.maxWalks ?? 200_000;
    this.#fileBudgetMs = limits.fileBudgetMs ?? FILE_BUDGET_MS;
    this.roots = roots;
    this.#relevance = new Relevance(roots);
    this.tracking = track ? { records: new Map(), roots: [], callees: new Map() } : undefined;
  }

  relevant(callee: ts.Expression): boolean {
    return this.#relevance.calls(callee);
  }

  /** Walks every root: module code, then each function and method declared in the files. */
  run(): void {
    for (const sourceFile of this.roots) this.#walkRoot(sourceFile, sourceFile);
    for (const sourceFile of this.roots) {
      for (const root of rootFunctions(sourceFile)) {
        if (!this.#walkRoot(sourceFile, root)) break;
      }
    }
    this.#deadline = Infinity;
  }

  /** Walks `root` of `file` within the file's time budget; false once that is spent. */
  walkRoot(file: ts.SourceFile, root: FunctionNode): boolean {
    return this.#walkRoot(file, root);
  }

  #walkRoot(file: ts.SourceFile, root: FunctionNode): boolean {
    const name = file.fileName;
    const spent = this.#spent.get(name) ?? 0;
    if (spent >= this.#fileBudgetMs) {
      this.overBudget.add(name);
      return false;
    }
    const started = performance.now();
    this.#deadline = started + this.#fileBudgetMs - spent;
    this.#topKey = undefined;
    this.walkFunction(root, ROOT_ENV, [], 0);
    this.tracking?.roots.push({ fn: root, key: this.#topKey });
    this.#spent.set(name, spent + performance.now() - started);
    if (performance.now() > this.#deadline) this.overBudget.add(name);
    return !this.overBudget.has(name);
  }

  get walks(): number {
    return this.#walks;
  }

  nodeId(node: ts.Node): number {
    let id = this.#nodeIds.get(node);
    if (id === undefined) {
      id = this.#nodeIds.size + 1;
      this.#nodeIds.set(node, id);
    }
    return id;
  }

  site(node: ts.Node, fn: FunctionNode): Site {
    let site = this.#sites.get(node);
    if (site === undefined) {
      const sourceFile = node.getSourceFile();
      const at = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
      site = {
        id: this.#sites.size + 1,
        file: sourceFile.fileName,
        line: at.line + 1,
        column: at.character + 1,
        fn: functionName(fn),
        fnId: this.nodeId(fn),
      };
      this.#sites.set(node, site);
    }
    return site;
  }

  walkFunction(fn: FunctionNode, env: Env, state: State, depth: number): State {
    if (state === undefined || !this.#relevance.walks(fn)) return state;
    if (depth > 0 && (this.#walks >= this.#maxWalks || performance.now() > this.#deadline)) {
      return state;
    }
    const key = `${this.nodeId(fn)}|${env.thisKnown ? 1 : 0}|${this.#bindingsKey(env)}|${stateKey(
      state,
      (s) => this.resolver.symbolId(s),
    )}`;
    const tracking = this.tracking;
    const caller = this.#stack.at(-1);
    if (tracking !== undefined) {
      if (caller === undefined) this.#topKey = key;
      else {
        caller.calls.push(key);
        const callees = tracking.callees.get(caller.fn) ?? new Set();
        callees.add(fn);
        tracking.callees.set(caller.fn, callees);
      }
    }
    const known = this.#memo.get(key);
    if (known !== undefined && known.depth <= depth) return known.state;
    if (this.#active.has(key)) return state; // recursion: the outer walk covers it
    this.#active.add(key);
    this.#walks++;
    const record: WalkRecord | undefined =
      tracking === undefined ? undefined : { fn, edges: [], reacquires: [], calls: [] };
    if (record !== undefined) this.#stack.push(record);
    const result = new Walker(this, fn, env, depth).run(state);
    if (record !== undefined) {
      this.#stack.pop();
      // Walked again from less deep: what the deeper walk recorded stays (its edges are in
      // `edges`, found with calls cut off sooner).
      const earlier = tracking?.records.get(key);
      if (earlier !== undefined) {
        record.edges.push(...earlier.edges);
        record.reacquires.push(...earlier.reacquires);
        record.calls.push(...earlier.calls);
      }
      tracking?.records.set(key, record);
    }
    this.#active.delete(key);
    this.#memo.set(key, { state: result, depth });
    return result;
  }

  #bindingsKey(env: Env): string {
    if (env.bindings.size === 0) return "";
    return [...env.bindings]
      .map(([symbol, ref]) => `${this.resolver.symbolId(symbol)}=${ref?.key ?? "?"}`)
      .sort()
      .join(",");
  }

  taking(
    lock: LockRef,
    kind: LockKind | undefined,
    site: Site,
    state: readonly Hold[],
    shared: boolean,
  ): void {
    // Gate locks: held on every path here (a lock held on some paths only does not exclude),
    // but the two of the edge. Listed once per acquisition, then per hold without its own.
    let musts: { readonly key: string; readonly gate: string }[] | undefined;
    for (const hold of state) {
      if (hold.lock.key === lock.key) {
        // Taken again shared while held shared: readers share it (the runtime's writer
        // preference aside, which a static walk cannot see).
        const bothShared = shared && hold.shared === true;
        if (takenAgainBlocks(kind) && !bothShared && hold.must && hold.site.id !== site.id) {
          const key = `${lock.key}|${hold.site.id}|${site.id}`;
          this.reacquires.set(key, { lock, held: hold.site, acquire: site });
          this.#stack.at(-1)?.reacquires.push(key);
        }
        continue;
      }
      musts ??= state
        .filter((o) => o.must && o.lock.key !== lock.key)
        .map((o) => ({
          key: o.lock.key,
          gate: o.shared === true ? `${o.lock.key}${SHARED_GATE}` : o.lock.key,
        }));
      const gates: string[] = [];
      for (const m of musts) {
        if (m.key !== hold.lock.key && !gates.includes(m.gate)) gates.push(m.gate);
      }
      gates.sort();
      const modes = `${hold.shared === true ? "r" : "w"}${shared ? "r" : "w"}`;
      const key = `${hold.lock.key}>${lock.key}|${hold.site.id}>${site.id}|${gates.join(",")}|${modes}`;
      this.#stack.at(-1)?.edges.push(key);
      if (!this.edges.has(key)) {
        this.edges.set(key, {
          from: hold.lock,
          to: lock,
          held: hold.site,
          acquire: site,
          gates,
          ...(hold.shared === true ? { fromShared: true as const } : {}),
          ...(shared ? { toShared: true as const } : {}),
        });
      }
    }
  }
}

/** Per tree: a tree that a later program reuses (the editor's workspace analysis) is visited once. */
const rootsCache = new WeakMap<ts.SourceFile, readonly FunctionNode[]>();

/** The file's functions walked on their own, in source order. */
export function rootFunctions(sourceFile: ts.SourceFile): readonly FunctionNode[] {
  const cached = rootsCache.get(sourceFile);
  if (cached !== undefined) return cached;
  const roots: FunctionNode[] = [];
  const visit = (node: ts.Node): void => {
    const root = rootFunction(node);
    if (root !== undefined) roots.push(root);
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  rootsCache.set(sourceFile, roots);
  return roots;
}

/** A function walked on its own: declared functions, methods, accessors, function fields. */
function rootFunction(node: ts.Node): FunctionNode | undefined {
  if (
    (ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isConstructorDeclaration(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node)) &&
    node.body !== undefined
  ) {
    return node;
  }
  if (ts.isPropertyDeclaration(node) && node.initializer !== undefined) {
    return inlineFunction(node.initializer);
  }
  return undefined;
}

/**
 * Taking a lock of this kind again while holding it blocks for ever: neither reentrant nor
 * sharable (whose re-take the static analysis cannot judge without the acquisition's mode).
 */
function takenAgainBlocks(kind: LockKind | undefined): boolean {
  if (kind === undefined || kind === "lock") return false;
  const traits = traitsOf(kind);
  return !traits.reentrant && !traits.sharable;
}
