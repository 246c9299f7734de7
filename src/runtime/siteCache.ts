// Call sites for the cost of a capture, not of a formatted stack. With source maps on, Node's
// stack formatter looks up a source map for every frame (a file URL made from each frame's
// name: most of a capture's cost for Node's own frames, which never have one), and a lock
// acquisition recorded inside someone's critical section pays it while the others wait. Here
// a capture is read as V8's structured call sites: keyed by their generated positions, the
// site id of a call path already seen is a map lookup; a new one is formatted once, exactly as
// Node formats it (formatCallSites, below), and interned by the caller.
import { findSourceMap, type SourceMap } from "node:module";
import { fileURLToPath } from "node:url";

type CallSite = NodeJS.CallSite;

// Source maps by generated file, looked up once per thread: a frame's module is loaded, and
// Node registers a module's map when it compiles it, before the module runs.
const maps = new Map<string, SourceMap | undefined>();

function mapOf(file: string): SourceMap | undefined {
  if (maps.has(file)) return maps.get(file);
  const map = findSourceMap(file);
  maps.set(file, map);
  return map;
}

interface Entry {
  readonly originalSource?: string | undefined;
  readonly originalLine?: number;
  readonly originalColumn?: number;
  readonly name?: string;
}

function entryAt(map: SourceMap, line: number | null, column: number | null): Entry {
  return map.findEntry((line ?? 0) - 1, (column ?? 0) - 1) as Entry;
}

// The rest mirrors Node's prepareStackTraceWithSourceMaps and serializeJSStackFrame (Node
// 20.20, lib/internal/source_map/prepare_stack_trace.js), so that a frame reads exactly as in
// Node's own stacks. getOriginalSymbolName: the name of the enclosing function in the map,
// else the name at the caller's position when the caller is in the same file.
function originalSymbolName(
  map: SourceMap,
  site: CallSite,
  caller: CallSite | undefined,
): string | undefined {
  const enclosing = entryAt(map, site.getEnclosingLineNumber(), site.getEnclosingColumnNumber());
  if (enclosing.name) return enclosing.name;
  if (caller !== undefined && site.getFileName() === caller.getFileName())
    return entryAt(map, caller.getLineNumber(), caller.getColumnNumber()).name;
  return undefined;
}

function mappedFrame(map: SourceMap, site: CallSite, caller: CallSite | undefined): string {
  const { originalSource, originalLine, originalColumn } = entryAt(
    map,
    site.getLineNumber(),
    site.getColumnNumber(),
  );
  if (originalSource === undefined || originalLine === undefined || originalColumn === undefined)
    return `${site}`;
  const name = originalSymbolName(map, site, caller);
  const source = originalSource.startsWith("file://")
    ? fileURLToPath(originalSource)
    : originalSource;
  const fnName = site.getFunctionName() ?? site.getMethodName();
  const prefix = site.isAsync() ? "async " : site.isConstructor() ? "new " : "";
  const typeName = site.getTypeName();
  const namePrefix = typeName !== null && typeName !== "global" ? `${typeName}.` : "";
  const originalName = `${namePrefix}${fnName || "<anonymous>"}`;
  const mappedName = name && name !== originalName ? name : originalName;
  const hasName = !!(name || originalName);
  return (
    `${prefix}${mappedName}${hasName ? " (" : ""}${source}:${originalLine + 1}:` +
    `${originalColumn + 1}${hasName ? ")" : ""}`
  );
}

/** One frame as Node's source-mapped formatter prints it (`${site}` where it finds no map). */
function frameText(trace: CallSite[], i: number): string {
  const site = trace[i] as CallSite;
  try {
    const file = site.getFileName() ?? site.getEvalOrigin();
    // Node's own frames: Node finds no map for them either, after making a file URL of each.
    if (typeof file !== "string" || file.startsWith("node:")) return `${site}`;
    const map = mapOf(file);
    if (map !== undefined) return mappedFrame(map, site, trace[i + 1]);
  } catch {
    // As Node: the frame as V8 prints it.
  }
  return `${site}`;
}

/**
 * The text of a stack as Node prints it (source-mapped when source maps are on), from its
 * call sites. Only for threadlens' own captures, read while no Error.prepareStackTrace of the
 * program's is installed.
 */
export function formatCallSites(error: Error, trace: CallSite[]): string {
  let text = Error.prototype.toString.call(error);
  const mapped = process.sourceMapsEnabled;
  for (let i = 0; i < trace.length; i++)
    text += `\n    at ${mapped ? frameText(trace, i) : trace[i]}`;
  return text;
}

// Call paths as numbers: per frame a script id and the generated line and column (frames
// without a file: the negated id of their function name and the promise index).
const scriptIds = new Map<string, number>();

function scriptId(name: string): number {
  let id = scriptIds.get(name);
  if (id === undefined) scriptIds.set(name, (id = scriptIds.size + 1));
  return id;
}

let scratch = new Int32Array(40 * 3);

interface CachedSite {
  readonly words: Int32Array;
  readonly site: number;
}

/** Site ids by call path hash (collisions told apart by their words); reset when full. */
let sitesByPath = new Map<number, CachedSite[]>();
let cachedPaths = 0;
const MAX_CACHED = 4096;

function sameWords(a: Int32Array, b: Int32Array, length: number): boolean {
  if (a.length !== length) return false;
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The site id of the call path `trace`: the cached one, or `intern` of its text (formatted as
 * Node would) for a call path this thread has not seen.
 */
export function siteOfCallSites(
  error: Error,
  trace: CallSite[],
  intern: (stack: string) => number,
): number {
  if (scratch.length < trace.length * 3) scratch = new Int32Array(trace.length * 3);
  let hash = trace.length;
  let n = 0;
  for (const site of trace) {
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
  hash >>>= 0;
  const candidates = sitesByPath.get(hash);
  if (candidates !== undefined) {
    for (const entry of candidates) if (sameWords(entry.words, scratch, n)) return entry.site;
  }
  const site = intern(formatCallSites(error, trace));
  if (cachedPaths >= MAX_CACHED) {
    sitesByPath = new Map();
    cachedPaths = 0;
  }
  const entry: CachedSite = { words: scratch.slice(0, n), site };
  const list = sitesByPath.get(hash);
  if (list === undefined) sitesByPath.set(hash, [entry]);
  else list.push(entry);
  cachedPaths++;
  return site;
}

// Node's own formatter (Node 20 exposes it as the initial Error.prepareStackTrace), as it was
// when the runtime loaded, before any code of the program's.
const nodePrepareStackTrace = Error.prepareStackTrace;

/** Whether stacks are Node's to format (no Error.prepareStackTrace of the program's). */
export function nodeFormatsStacks(): boolean {
  const prepare = Error.prepareStackTrace;
  return prepare === undefined || prepare === nodePrepareStackTrace;
}

/** Reads `error.stack` (its first read: V8 formats it then) through `prepare`. */
export function readStackWith(
  error: Error,
  prepare: (error: Error, trace: CallSite[]) => unknown,
): unknown {
  const errorClass = Error as { prepareStackTrace?: unknown };
  const own = Object.hasOwn(errorClass, "prepareStackTrace");
  const previous = errorClass.prepareStackTrace;
  errorClass.prepareStackTrace = prepare;
  try {
    return error.stack;
  } finally {
    if (own) errorClass.prepareStackTrace = previous;
    else delete errorClass.prepareStackTrace;
  }
}

/**
 * The text of a stack threadlens captured, as Node formats it: through formatCallSites
 * (cheaper) unless the program installed an Error.prepareStackTrace of its own, which then
 * formats it as it formats every stack.
 */
export function stackText(error: Error): string {
  if (!nodeFormatsStacks()) return error.stack ?? "";
  return readStackWith(error, formatCallSites) as string;
}
