// Re-analysis of a file's edited text by re-walking only what the edit touches (issue 12): the
// check of fix edits (checkedFixes.ts) asks, for each batch of edits, which lock-order problems
// the edited file has. A full re-analysis parses and walks the whole file again; here the
// unedited file is walked once with per-function records (analysis.ts WalkTracking), and an
// edit re-walks only the roots whose walks reach an edited function (its callers, theirs, ...),
// in a copy of the edited text where every function body no such walk enters is blanked (same
// length, line breaks kept). The other roots' edges are the unedited walk's. Locks of the
// re-walk are matched to the unedited ones by their declaration, moved by the edit. Anything
// this cannot follow (an edit outside function bodies and the import, a lock the unedited walk
// did not know, a syntax error) answers undefined: the caller re-analyses the whole text.
import ts from "typescript";
import type { TextEdit } from "../../protocol/report.ts";
import { applyTextEdit, offsetOf } from "../sourceEdits.ts";
import {
  ProgramWalk,
  rootFunctions,
  type WalkLimits,
  type WalkRecord,
  type WalkTracking,
} from "./analysis.ts";
import { isFunctionNode, type FunctionNode } from "./calls.ts";
import { findLockCycles, SHARED_GATE } from "./graph.ts";
import { createStaticProgram } from "./program.ts";
import type { LockRef, Reacquire, StaticEdge } from "./types.ts";

/** A problem's key: its kind and its locks' names, sorted (checkedFixes.ts compares these). */
export function problemKeysOf(
  edges: Iterable<StaticEdge>,
  reacquires: Iterable<Reacquire>,
  maxCycleLength = 8,
): Set<string> {
  const keys = new Set<string>();
  for (const cycle of findLockCycles(edges, maxCycleLength)) {
    keys.add(
      `potential-deadlock:${cycle.locks
        .map((l) => l.name)
        .sort()
        .join(",")}`,
    );
  }
  for (const r of reacquires) keys.add(`self-deadlock:${r.lock.name}`);
  return keys;
}

interface Span {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Where a function's body starts and ends (offsets), for blanking. */
function bodyOf(fn: FunctionNode): ts.Node | undefined {
  if (ts.isSourceFile(fn)) return undefined;
  return fn.body !== undefined && ts.isBlock(fn.body) ? fn.body : undefined;
}

/** The innermost node of `sourceFile` containing [start, end). */
function nodeAt(sourceFile: ts.SourceFile, start: number, end: number): ts.Node {
  let node: ts.Node = sourceFile;
  for (;;) {
    const child = ts.forEachChild(node, (c) =>
      c.getStart(sourceFile) <= start && end <= c.end ? c : undefined,
    );
    if (child === undefined) return node;
    node = child;
  }
}

function functionsAround(node: ts.Node): FunctionNode[] {
  const out: FunctionNode[] = [];
  for (let n: ts.Node | undefined = node; n !== undefined; n = n.parent) {
    if (isFunctionNode(n)) out.push(n);
  }
  return out;
}

/**
 * An edit of module code that only changes what it runs: inside a top-level statement that
 * declares nothing, with no assignment before or after (which could change what a name is).
 */
function moduleCodeOnly(node: ts.Node, span: Span, text: string): boolean {
  if (ts.isSourceFile(node)) return false;
  let statement: ts.Node = node;
  while (!ts.isSourceFile(statement.parent)) statement = statement.parent;
  if (
    ts.isVariableStatement(statement) ||
    ts.isImportDeclaration(statement) ||
    ts.isImportEqualsDeclaration(statement) ||
    ts.isExportDeclaration(statement) ||
    ts.isExportAssignment(statement) ||
    ts.isDeclarationStatement(statement)
  ) {
    return false;
  }
  const hasAssignment = (t: string): boolean => /[^=!<>]=(?!=)|\+\+|--/.test(t);
  return !hasAssignment(text.slice(span.start, span.end)) && !hasAssignment(span.text);
}

function inImport(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node; n !== undefined; n = n.parent) {
    if (ts.isImportDeclaration(n)) return true;
  }
  return false;
}

function closure(
  from: Iterable<FunctionNode>,
  next: ReadonlyMap<FunctionNode, ReadonlySet<FunctionNode>>,
): Set<FunctionNode> {
  const seen = new Set(from);
  const stack = [...seen];
  for (let fn = stack.pop(); fn !== undefined; fn = stack.pop()) {
    for (const other of next.get(fn) ?? []) {
      if (seen.has(other)) continue;
      seen.add(other);
      stack.push(other);
    }
  }
  return seen;
}

/** An edge's identity for the cycle search, whose verdicts only its locks, gates and modes make. */
function edgeShape(e: StaticEdge): string {
  return `${e.from.key}>${e.to.key}|${e.gates.join(",")}|${e.fromShared === true ? "r" : "w"}${
    e.toShared === true ? "r" : "w"
  }`;
}

/** A file's unedited walk, with records, against which edits are re-analysed incrementally. */
export class IncrementalFile {
  readonly #file: string;
  readonly #text: string;
  readonly #cwd: string;
  readonly #limits: WalkLimits;
  readonly #source: ts.SourceFile;
  readonly #walk: ProgramWalk;
  readonly #tracking: WalkTracking;
  readonly #callers = new Map<FunctionNode, Set<FunctionNode>>();
  /** The unedited walk's locks, by declaration offset. */
  readonly #locks = new Map<number, LockRef>();
  #problems: Set<string> | undefined;

  private constructor(
    file: string,
    text: string,
    cwd: string,
    limits: WalkLimits,
    source: ts.SourceFile,
    walk: ProgramWalk,
  ) {
    this.#file = file;
    this.#text = text;
    this.#cwd = cwd;
    this.#limits = limits;
    this.#source = source;
    this.#walk = walk;
    this.#tracking = walk.tracking as WalkTracking;
    for (const [caller, callees] of this.#tracking.callees) {
      for (const callee of callees) {
        const set = this.#callers.get(callee) ?? new Set();
        set.add(caller);
        this.#callers.set(callee, set);
      }
    }
    for (const e of walk.edges.values()) {
      this.#locks.set(e.from.order, e.from);
      this.#locks.set(e.to.order, e.to);
    }
    for (const r of walk.reacquires.values()) this.#locks.set(r.lock.order, r.lock);
  }

  get file(): string {
    return this.#file;
  }

  get text(): string {
    return this.#text;
  }

  /** The unedited file's problem keys. */
  get problems(): Set<string> {
    this.#problems ??= problemKeysOf(this.#walk.edges.values(), this.#walk.reacquires.values());
    return this.#problems;
  }

  /**
   * From a tracked walk made elsewhere (checkSources' `track`) of `source` alone, its only
   * file; undefined when that walk stopped at its budget.
   */
  static fromWalk(
    source: ts.SourceFile,
    walk: ProgramWalk,
    cwd: string,
    limits: WalkLimits = {},
  ): IncrementalFile | undefined {
    if (walk.tracking === undefined || walk.overBudget.size > 0) return undefined;
    if (walk.sourceFiles.length !== 1 || walk.sourceFiles[0] !== source) return undefined;
    return new IncrementalFile(source.fileName, source.text, cwd, limits, source, walk);
  }

  /** The unedited file walked with records; undefined when it cannot be (unparsable, over budget). */
  static of(
    file: string,
    text: string,
    cwd: string,
    limits: WalkLimits = {},
  ): IncrementalFile | undefined {
    const built = createStaticProgram([file], (p) => (p === file ? text : undefined), cwd);
    const source = built.sourceFiles[0];
    if (source === undefined || built.problems.length > 0) return undefined;
    const walk = new ProgramWalk(built.program, built.sourceFiles, limits, built.sourceFiles, true);
    walk.run();
    return IncrementalFile.fromWalk(source, walk, cwd, limits);
  }

  /** The problem keys of the text with `edit` applied; undefined: re-analyse the whole text. */
  problemsAfter(edit: TextEdit): Set<string> | undefined {
    const text = this.#text;
    const spans: Span[] = edit.replacements
      .map((r) => ({
        start: offsetOf(text, r.line, r.column),
        end: offsetOf(text, r.endLine, r.endColumn),
        text: r.newText,
      }))
      .sort((a, b) => a.start - b.start);
    if (spans.some((s) => s.start < 0 || s.end < s.start)) return undefined;
    const edited = this.#editedFunctions(spans);
    if (edited === undefined) return undefined;
    const affected = closure(edited, this.#callers);
    const needed = closure(affected, this.#tracking.callees);
    const moved = (offset: number): number | undefined => {
      let delta = 0;
      for (const s of spans) {
        if (s.end <= offset) delta += s.text.length - (s.end - s.start);
        else if (s.start < offset) return undefined;
      }
      return offset + delta;
    };
    const reduced = this.#reduced(applyTextEdit(text, edit), needed, moved);
    if (reduced === undefined) return undefined;
    // The roots the edit does not reach: their walks' edges as they were.
    const kept = this.#keptRecords(affected);
    const edges = new Map<string, StaticEdge>();
    const reacquires: Reacquire[] = [];
    for (const record of kept) {
      for (const key of record.edges) {
        const e = this.#walk.edges.get(key);
        if (e !== undefined) edges.set(edgeShape(e), e);
      }
      for (const key of record.reacquires) {
        const r = this.#walk.reacquires.get(key);
        if (r !== undefined) reacquires.push(r);
      }
    }
    const walked = this.#rewalk(reduced.text, affected, reduced.at);
    if (walked === undefined) return undefined;
    for (const e of walked.edges) edges.set(edgeShape(e), e);
    reacquires.push(...walked.reacquires);
    return problemKeysOf(edges.values(), reacquires);
  }

  /** The functions the replacements are in; undefined when one is outside every function. */
  #editedFunctions(spans: readonly Span[]): Set<FunctionNode> | undefined {
    const source = this.#source;
    const edited = new Set<FunctionNode>();
    for (const span of spans) {
      const node = nodeAt(source, span.start, span.end);
      const around = functionsAround(node);
      if (around.length > 0) {
        for (const fn of around) edited.add(fn);
        continue;
      }
      if (moduleCodeOnly(node, span, source.text)) {
        edited.add(source);
        continue;
      }
      if (!inImport(node)) return undefined;
      // A name added to an import: every function that uses the name now resolves it.
      for (const name of span.text.match(/[A-Za-z_$][\w$]*/g) ?? []) {
        const word = new RegExp(String.raw`(?<![\w$])${name.replace(/\$/g, "\\$")}(?![\w$])`, "g");
        for (const m of source.text.matchAll(word)) {
          const at = nodeAt(source, m.index, m.index + name.length);
          const fns = functionsAround(at);
          if (fns.length === 0 && !inImport(at)) {
            // Used in module code: the module's walk changes.
            edited.add(source);
          }
          for (const fn of fns) edited.add(fn);
        }
      }
    }
    return edited;
  }

  /** The records of the walks of the roots `affected` does not contain, and all they reached. */
  #keptRecords(affected: ReadonlySet<FunctionNode>): Set<WalkRecord> {
    const records = this.#tracking.records;
    const seen = new Set<string>();
    const out = new Set<WalkRecord>();
    const stack: string[] = [];
    for (const root of this.#tracking.roots) {
      if (!affected.has(root.fn) && root.key !== undefined) stack.push(root.key);
    }
    for (let key = stack.pop(); key !== undefined; key = stack.pop()) {
      if (seen.has(key)) continue;
      seen.add(key);
      const record = records.get(key);
      if (record === undefined) continue;
      out.add(record);
      stack.push(...record.calls);
    }
    return out;
  }

  /**
   * The edited text without the functions no walk of `needed` enters (their bodies, or the
   * whole declaration at the top level), so that parsing and binding it costs what the needed functions do; with where an
   * offset of the unedited text is in it. Undefined if a body to drop was edited (it cannot
   * be: edited functions are needed).
   */
  #reduced(
    edited: string,
    needed: ReadonlySet<FunctionNode>,
    moved: (offset: number) => number | undefined,
  ): { readonly text: string; readonly at: (offset: number) => number | undefined } | undefined {
    const keep: [number, number][] = [];
    for (const fn of needed) if (!ts.isSourceFile(fn)) keep.push([fn.pos, fn.end]);
    const drops: [number, number][] = [];
    let droppedTo = -1;
    for (const fn of rootFunctions(this.#source)) {
      const body = bodyOf(fn);
      if (body === undefined || body.pos < droppedTo || needed.has(fn)) continue;
      // A function declared at the top level goes whole (what it declares only it can use:
      // a walk that calls it, or passes it, enters it), another keeps its braces.
      const whole = ts.isFunctionDeclaration(fn) && ts.isSourceFile(fn.parent);
      const from = whole ? fn.getStart(this.#source) : body.getStart(this.#source) + 1;
      const to = whole ? fn.end : body.end - 1;
      // Neither holding a needed function nor inside one.
      if (keep.some(([s, e]) => s < to && e > from)) continue;
      const a = moved(from);
      const b = moved(to);
      if (a === undefined || b === undefined) return undefined;
      drops.push([a, b]);
      droppedTo = body.end;
    }
    const parts: string[] = [];
    const removedBefore: number[] = [];
    let removed = 0;
    let last = 0;
    for (const [from, to] of drops) {
      parts.push(edited.slice(last, from));
      removed += to - from;
      removedBefore.push(removed);
      last = to;
    }
    parts.push(edited.slice(last));
    const at = (offset: number): number | undefined => {
      const x = moved(offset);
      if (x === undefined) return undefined;
      // The last drop starting before x (binary search).
      let low = 0;
      let high = drops.length;
      while (low < high) {
        const mid = (low + high) >> 1;
        if ((drops[mid] as [number, number])[0] < x) low = mid + 1;
        else high = mid;
      }
      if (low === 0) return x;
      const [, to] = drops[low - 1] as [number, number];
      return x < to ? undefined : x - (removedBefore[low - 1] ?? 0);
    };
    return { text: parts.join(""), at };
  }

  /** Walks the affected roots in the reduced text; edges and re-acquisitions in the unedited locks. */
  #rewalk(
    reduced: string,
    affected: ReadonlySet<FunctionNode>,
    place: (offset: number) => number | undefined,
  ): { edges: StaticEdge[]; reacquires: Reacquire[] } | undefined {
    const file = this.#file;
    const built = createStaticProgram([file], (p) => (p === file ? reduced : undefined), this.#cwd);
    const source = built.sourceFiles[0];
    if (source === undefined || built.problems.length > 0) return undefined;
    const walk = new ProgramWalk(built.program, built.sourceFiles, this.#limits);
    const byStart = new Map<number, FunctionNode>();
    for (const fn of rootFunctions(source)) byStart.set(fn.getStart(source), fn);
    for (const root of this.#tracking.roots) {
      if (!affected.has(root.fn)) continue;
      let fn: FunctionNode | undefined;
      if (ts.isSourceFile(root.fn)) fn = source;
      else {
        const start = place(root.fn.getStart(this.#source));
        fn = start === undefined ? undefined : byStart.get(start);
      }
      if (fn === undefined || fn.kind !== root.fn.kind) return undefined;
      walk.walkRoot(source, fn);
    }
    if (walk.overBudget.size > 0) return undefined;
    // The re-walk's locks, as the unedited walk's.
    const byOrder = new Map<number, LockRef>();
    for (const [order, ref] of this.#locks) {
      const at = place(order);
      if (at !== undefined) byOrder.set(at, ref);
    }
    const keys = new Map<string, string>();
    const lockOf = (ref: LockRef): LockRef | undefined => {
      const old = byOrder.get(ref.order);
      if (old === undefined || old.name !== ref.name || old.alias !== ref.alias) return undefined;
      if (old.kind !== ref.kind) return undefined;
      keys.set(ref.key, old.key);
      return old;
    };
    const edges: StaticEdge[] = [];
    for (const e of walk.edges.values()) {
      const from = lockOf(e.from);
      const to = lockOf(e.to);
      if (from === undefined || to === undefined) return undefined;
      edges.push({ ...e, from, to });
    }
    const gate = (g: string): string | undefined => {
      const shared = g.endsWith(SHARED_GATE);
      const key = keys.get(shared ? g.slice(0, -SHARED_GATE.length) : g);
      return key === undefined ? undefined : `${key}${shared ? SHARED_GATE : ""}`;
    };
    const out: StaticEdge[] = [];
    for (const e of edges) {
      const gates: string[] = [];
      for (const g of e.gates) {
        const key = gate(g);
        if (key === undefined) return undefined;
        gates.push(key);
      }
      out.push({ ...e, gates: gates.sort() });
    }
    const reacquires: Reacquire[] = [];
    for (const r of walk.reacquires.values()) {
      const lock = lockOf(r.lock);
      if (lock === undefined) return undefined;
      reacquires.push({ ...r, lock });
    }
    return { edges: out, reacquires };
  }
}
