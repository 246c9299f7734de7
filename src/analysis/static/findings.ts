// Findings of the static analysis, in the report schema of the runtime analysis: a lock-order
// cycle or an edge against a declared order is a "potential-deadlock" with the acquisition
// sites ("held", "acquires"), a non-reentrant Lock taken again is a "self-deadlock". Function
// names go in the messages (and in each site's thread field); the finding's threads are empty.
// The suggestions are the runtime's, with the same edits (sourceEdits.ts).
import type { Frame } from "../../protocol/events.ts";
import type { Finding, FindingSite, Suggestion, TextEdit } from "../../protocol/report.ts";
import { declaredOrderText, type DeclaredOrder, type DeclaredOrders } from "../declaredOrder.ts";
import { relativePath as relativeTo } from "../../protocol/paths.ts";
import { swapReceiversEdit, useRLockEdit, type ReadSource } from "../sourceEdits.ts";
import { acquireAllEdit } from "../acquireAllEdit.ts";
import {
  fixesForLocks,
  cycleTimeoutSuggestion,
  selfDeadlockSuggestionSet,
  twoLockSuggestionSet,
} from "../suggestionTexts.ts";
import { ANONYMOUS, MODULE_CODE } from "./calls.ts";
import { violatedOrder, type LockCycle, type OrderViolation } from "./graph.ts";
import type { LockRef, Reacquire, Site, SourcePos, StaticEdge } from "./types.ts";

export interface FindingContext {
  readonly cwd: string;
  readonly readSource: ReadSource;
  readonly orders: DeclaredOrders;
}

/** relativePath, memoized: a large file's findings name the same file tens of thousands of times. */
const relatives = new Map<string, string>();

function relativePath(file: string, cwd: string): string {
  const key = `${cwd}\0${file}`;
  let relative = relatives.get(key);
  if (relative === undefined) {
    if (relatives.size >= 4096) relatives.clear();
    relative = relativeTo(file, cwd);
    relatives.set(key, relative);
  }
  return relative;
}

/** Clauses named in a message per hop (the sites list them all). */
const MAX_CLAUSES_PER_HOP = 3;

function at(pos: SourcePos, ctx: FindingContext): string {
  return `${relativePath(pos.file, ctx.cwd)}:${pos.line}`;
}

function fnText(site: Site): string {
  if (site.fn === MODULE_CODE) return "module code";
  return site.fn === ANONYMOUS ? "an anonymous function" : site.fn;
}

/** ` in doB (src/app.ts:22)`, or ` at src/app.ts:22` for module code and anonymous functions. */
function inWhere(site: Site | undefined, ctx: FindingContext): string {
  if (site === undefined) return "";
  return site.fn.startsWith("<") ? ` at ${at(site, ctx)}` : ` in ${site.fn} (${at(site, ctx)})`;
}

function clause(edge: StaticEdge, ctx: FindingContext): string {
  const taken = `${fnText(edge.acquire)} takes ${edge.to.name}`;
  if (edge.held.fnId === edge.acquire.fnId) {
    return `${taken} while holding ${edge.from.name} (${at(edge.acquire, ctx)})`;
  }
  return (
    `${taken} (${at(edge.acquire, ctx)}) while holding ${edge.from.name} ` +
    `(taken in ${fnText(edge.held)}, ${at(edge.held, ctx)})`
  );
}

function findingSite(site: Site, role: FindingSite["role"], ctx: FindingContext): FindingSite {
  return {
    file: relativePath(site.file, ctx.cwd),
    line: site.line,
    column: site.column,
    // A static site has no thread: it names the code that would run there, as the message does
    // ("module code", "doA"), never V8's "<module>", which the editor showed as a thread name.
    thread: fnText(site),
    role,
  };
}

function edgeSites(edges: readonly StaticEdge[], ctx: FindingContext): FindingSite[] {
  const sites: FindingSite[] = [];
  const seen = new Set<string>();
  for (const edge of edges) {
    for (const site of [
      findingSite(edge.held, "held", ctx),
      findingSite(edge.acquire, "acquires", ctx),
    ]) {
      const key = `${site.file}:${site.line}:${site.column}:${site.role}`;
      if (seen.has(key)) continue;
      seen.add(key);
      sites.push(site);
    }
  }
  return sites;
}

function frameOf(site: Site): Frame {
  // Same function node, same name: the edit is only made within one function.
  return { file: site.file, line: site.line, column: site.column, function: `#${site.fnId}` };
}

/** The receiver swap that makes `edge` take its locks the other way round, where it is safe. */
function swapEdit(edge: StaticEdge, ctx: FindingContext): TextEdit | undefined {
  if (edge.held.fnId !== edge.acquire.fnId) return undefined;
  const file = relativePath(edge.held.file, ctx.cwd);
  return swapReceiversEdit(frameOf(edge.held), frameOf(edge.acquire), file, ctx.readSource);
}

/** Suggestions for taking `first` before `second`, fixing the edges that take them the other way. */
function orderSuggestions(
  first: LockRef,
  second: LockRef,
  breaking: readonly StaticEdge[],
  reason: string,
  ctx: FindingContext,
): Suggestion[] {
  let edit: TextEdit | undefined;
  let fixed = breaking[0];
  for (const edge of breaking) {
    edit = swapEdit(edge, ctx);
    if (edit !== undefined) {
      fixed = edge;
      break;
    }
  }
  const where = inWhere(fixed?.acquire, ctx);
  const suggestions = twoLockSuggestionSet(first.name, second.name, reason, where, edit, where);
  // Promise.all branches share their starting thread's RLock ownership at run time: one RLock
  // for both would let two branches in at once (runtime/recordIdent.ts), so it is not offered.
  const files = new Set([
    ...breaking.map((e) => e.acquire.file),
    ...breaking.map((e) => e.held.file),
  ]);
  return [...files].some((file) => usesCombinators(ctx.readSource(file)))
    ? suggestions.filter((s) => s.kind !== "use-rlock")
    : suggestions;
}

const COMBINATOR_CALL = /\bPromise\s*\.\s*(?:all|allSettled|any|race)\s*\(/;

function usesCombinators(source: string | undefined): boolean {
  return source !== undefined && COMBINATOR_CALL.test(source);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"} follow${n === 1 ? "s" : ""}`;
}

/** The order to keep for a two-lock cycle: the declared one, else the one more code follows. */
function preferred(
  cycle: LockCycle,
  ctx: FindingContext,
): { first: LockRef; second: LockRef; breaking: readonly StaticEdge[]; reason: string } {
  const [a, b] = cycle.locks as [LockRef, LockRef];
  const [ab, ba] = cycle.hops as [readonly StaticEdge[], readonly StaticEdge[]];
  const declared = (x: LockRef, y: LockRef): readonly DeclaredOrder[] | undefined =>
    violatedOrder(ctx.orders, y, x);
  const functions = (edges: readonly StaticEdge[]): number =>
    new Set(edges.map((e) => e.acquire.fnId)).size;
  const ofA = declared(a, b);
  const ofB = ofA === undefined ? declared(b, a) : undefined;
  const aFirst =
    ofA !== undefined ||
    (ofB === undefined &&
      (functions(ab) !== functions(ba) ? functions(ab) > functions(ba) : ab.length >= ba.length));
  const chain = ofA ?? ofB;
  const [first, second, follow, breaking] = aFirst ? [a, b, ab, ba] : [b, a, ba, ab];
  const reason =
    chain === undefined
      ? `the order ${plural(functions(follow), "function")}`
      : `the declared order ${declaredOrderText(chain, ctx.cwd)}`;
  return { first, second, breaking, reason };
}

/**
 * The acquireAll edit for a two-lock cycle (adjacent plain acquisitions, acquireAllEdit.ts),
 * kept only if, with the replaced orderings taken in declaration order (acquireAll sorts by
 * creation), no function takes the two locks against each other any more.
 */
function acquireAllFix(
  edges: readonly StaticEdge[],
  a: LockRef,
  b: LockRef,
  ctx: FindingContext,
): TextEdit | undefined {
  const own = edges.filter((e) => e.held.fnId === e.acquire.fnId);
  const pairs = own.map((e) => ({ edge: e, held: frameOf(e.held), taking: frameOf(e.acquire) }));
  const file = pairs[0]?.held.file;
  if (file === undefined) return undefined;
  const made = acquireAllEdit(pairs, relativePath(file, ctx.cwd), ctx.readSource);
  if (made === undefined) return undefined;
  const replaced = new Set(
    pairs.filter((p) => made.replaced.some((r) => r.held === p.held)).map((p) => p.edge),
  );
  const low = a.order <= b.order ? a.key : b.key;
  const directions = new Set(edges.map((e) => (replaced.has(e) ? low : e.from.key)));
  return directions.size > 1 ? undefined : made.edit;
}

export function cycleFinding(cycle: LockCycle, ctx: FindingContext): Finding {
  const names = cycle.locks.map((l) => l.name);
  const clauses = cycle.hops.flatMap((edges) =>
    edges.slice(0, MAX_CLAUSES_PER_HOP).map((e) => clause(e, ctx)),
  );
  const edges = cycle.hops.flat();
  let suggestions: Suggestion[];
  let declared = "";
  if (cycle.locks.length === 2) {
    const order = preferred(cycle, ctx);
    if (order.reason.startsWith("the declared")) declared = `, against ${order.reason}`;
    suggestions = orderSuggestions(order.first, order.second, order.breaking, order.reason, ctx);
    const allEdit = acquireAllFix(edges, order.first, order.second, ctx);
    if (allEdit !== undefined) {
      suggestions = suggestions.map((s) =>
        s.kind === "acquire-all" ? { ...s, edit: allEdit } : s,
      );
    }
  } else {
    suggestions = [
      {
        kind: "global-order",
        message:
          `take ${names.join(", ")} in this one global order (their declaration order) ` +
          `everywhere: a cycle needs some function to take them against the order`,
      },
      {
        kind: "acquire-all",
        message:
          `take the locks a function needs together with \`acquireAll([${names.join(", ")}])\` ` +
          `(one global order, all or nothing), so that no thread holds one while waiting for another`,
      },
      cycleTimeoutSuggestion(inWhere(edges[0]?.acquire, ctx)),
    ];
  }
  suggestions = fixesForLocks(
    suggestions,
    cycle.locks.map((l) => l.kind),
  );
  return {
    kind: "potential-deadlock",
    message:
      `potential deadlock (static analysis): lock-order inversion ` +
      `${[...names, names[0] ?? ""].join(" → ")}: ${clauses.join("; ")}${declared}`,
    locks: names,
    threads: [],
    sites: edgeSites(edges, ctx),
    suggestions,
  };
}

export function violationFinding(violation: OrderViolation, ctx: FindingContext): Finding {
  const { held, taken, chain, edges } = violation;
  const declared = declaredOrderText(chain, ctx.cwd);
  const clauses = edges.slice(0, MAX_CLAUSES_PER_HOP).map((e) => clause(e, ctx));
  const suggestions = orderSuggestions(taken, held, edges, `the declared order ${declared}`, ctx);
  return {
    kind: "potential-deadlock",
    message:
      `potential deadlock (static analysis): lock-order violation: ${clauses.join("; ")}, ` +
      `against the declared order ${declared}`,
    locks: [taken.name, held.name],
    threads: [],
    sites: edgeSites(edges, ctx),
    suggestions: suggestions.filter((s) => s.kind !== "use-rlock"),
  };
}

export function reacquireFinding(reacquire: Reacquire, ctx: FindingContext): Finding {
  const { lock, held, acquire } = reacquire;
  const creation = lock.creation;
  const edit =
    creation === undefined
      ? undefined
      : useRLockEdit(
          { ...creation, function: "" },
          relativePath(creation.file, ctx.cwd),
          ctx.readSource,
        );
  const suggestions = selfDeadlockSuggestionSet(
    lock.name,
    creation === undefined ? "" : ` at ${at(creation, ctx)}`,
    edit,
    inWhere(acquire, ctx),
  );
  return {
    kind: "self-deadlock",
    message:
      `self-deadlock (static analysis): ${fnText(acquire)} takes ${lock.name} ` +
      `(${at(acquire, ctx)}) while already holding it (taken in ${fnText(held)}, ${at(held, ctx)}); ` +
      `a Lock is not reentrant, so the second acquisition waits forever`,
    locks: [lock.name],
    threads: [],
    sites: [findingSite(held, "holds", ctx), findingSite(acquire, "waits", ctx)],
    suggestions,
  };
}
