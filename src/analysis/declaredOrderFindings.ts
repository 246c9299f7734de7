// The runtime side of declared lock orders (declaredOrder.ts): every lock-order edge of the run
// that takes a lock while holding one declared to come after it is a potential deadlock, cycle
// or not. The orders come from the comments of the program's sources (the files of the edges'
// sites and of the locks' creation sites, read through the injected readSource) and from the
// options (orders declared elsewhere in the workspace).
import type { Finding, FindingSite, Suggestion } from "../protocol/report.ts";
import { findingSite, siteText } from "./dictionary.ts";
import {
  DeclaredOrders,
  declaredOrderText,
  parseDeclaredOrders,
  type DeclaredOrder,
} from "./declaredOrder.ts";
import type { EdgeInstance, LockOrderGraph } from "./lockOrderGraph.ts";
import { relativePath } from "../protocol/paths.ts";
import { swapReceiversEdit, type ReadSource } from "./sourceEdits.ts";
import { cycleTimeoutSuggestion } from "./suggestionTexts.ts";
import type { SuggestionContext } from "./suggestions.ts";

/** Site pairs shown per violation. */
const MAX_SITE_PAIRS = 8;

/** The orders declared in the sources the run's lock-order edges and locks come from. */
export function declaredOrdersInSources(
  graph: LockOrderGraph,
  readSource: ReadSource | undefined,
): DeclaredOrder[] {
  if (readSource === undefined) return [];
  const files = new Set<string>();
  const addSite = (site: number): void => {
    for (const frame of graph.dict.frames(site)) files.add(frame.file);
  };
  for (const from of graph.nodes()) {
    const creation = graph.dict.object(from)?.site;
    if (creation !== undefined) addSite(creation);
    for (const to of graph.successors(from)) {
      for (const edge of graph.instances(from, to)) {
        addSite(edge.heldSite);
        addSite(edge.acquireSite);
      }
    }
  }
  const orders: DeclaredOrder[] = [];
  for (const file of files) {
    const source = readSource(file);
    if (source !== undefined) orders.push(...parseDeclaredOrders(source, file));
  }
  return orders;
}

export interface DeclaredOrderOptions {
  readonly orders: readonly DeclaredOrder[];
  /** Lock cycles reported already (deadlocks, potential deadlocks): their pairs are skipped. */
  readonly reportedCycles: readonly (readonly number[])[];
}

/** One finding per pair of locks taken against a declared order. */
export function declaredOrderFindings(
  graph: LockOrderGraph,
  ctx: SuggestionContext,
  options: DeclaredOrderOptions,
): Finding[] {
  if (options.orders.length === 0) return [];
  const rules = new DeclaredOrders(options.orders);
  const covered = (a: number, b: number): boolean =>
    options.reportedCycles.some((cycle) => cycle.includes(a) && cycle.includes(b));
  const findings: Finding[] = [];
  for (const from of [...graph.nodes()].sort((a, b) => a - b)) {
    for (const to of [...graph.successors(from)].sort((a, b) => a - b)) {
      const chain = rules.violated(graph.dict.objectName(from), graph.dict.objectName(to));
      if (chain === undefined || covered(from, to)) continue;
      findings.push(violationFinding(graph.instances(from, to), chain, ctx));
    }
  }
  return findings;
}

function violationFinding(
  instances: readonly EdgeInstance[],
  chain: readonly DeclaredOrder[],
  ctx: SuggestionContext,
): Finding {
  const { dict, cwd } = ctx;
  const first = instances[0] as EdgeInstance;
  const held = dict.objectName(first.from);
  const taken = dict.objectName(first.to);
  const seen = new Set<string>();
  const shown = instances.filter((e) => {
    const key = `${siteText(dict, cwd, e.heldSite)}>${siteText(dict, cwd, e.acquireSite)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const threads: string[] = [];
  const sites: FindingSite[] = [];
  const clauses: string[] = [];
  for (const edge of shown.slice(0, MAX_SITE_PAIRS)) {
    const thread = dict.threadName(edge.thread);
    if (!threads.includes(thread)) threads.push(thread);
    const where = siteText(dict, cwd, edge.acquireSite);
    clauses.push(
      `${thread} takes ${taken} while holding ${held}` + (where === "" ? "" : ` (${where})`),
    );
    for (const site of [
      findingSite(dict, cwd, edge.heldSite, edge.thread, "held"),
      findingSite(dict, cwd, edge.acquireSite, edge.thread, "acquires"),
    ]) {
      if (site !== undefined) sites.push(site);
    }
  }
  const declared = declaredOrderText(chain, cwd);
  return {
    kind: "potential-deadlock",
    message:
      `potential deadlock: lock-order violation: ${clauses.join("; ")}, ` +
      `against the declared order ${declared}`,
    locks: [taken, held],
    threads,
    sites,
    suggestions: violationSuggestions(shown, taken, held, declared, ctx),
  };
}

function violationSuggestions(
  edges: readonly EdgeInstance[],
  first: string,
  second: string,
  declared: string,
  ctx: SuggestionContext,
): Suggestion[] {
  const { dict, cwd, readSource } = ctx;
  let edit: Suggestion["edit"];
  let where = "";
  for (const edge of edges) {
    const heldFrame = dict.userFrame(edge.heldSite);
    const takeFrame = dict.userFrame(edge.acquireSite);
    if (where === "" && takeFrame !== undefined)
      where = ` at ${siteText(dict, cwd, edge.acquireSite)}`;
    if (heldFrame === undefined || takeFrame === undefined) continue;
    const file = relativePath(heldFrame.file, cwd);
    edit = swapReceiversEdit(heldFrame, takeFrame, file, readSource);
    if (edit !== undefined) {
      where = ` at ${siteText(dict, cwd, edge.acquireSite)}`;
      break;
    }
  }
  const order: Suggestion = {
    kind: "global-order",
    message:
      `take ${first} before ${second} as declared (${declared}): swap the two acquisitions` +
      `${where}, which takes ${second} then ${first}`,
  };
  return [
    edit === undefined ? order : { ...order, edit },
    {
      kind: "acquire-all",
      message:
        `take both with \`acquireAll([${first}, ${second}])\`${where} (one global order, ` +
        `all or nothing), so that no thread holds one while waiting for the other`,
    },
    cycleTimeoutSuggestion(where),
  ];
}
