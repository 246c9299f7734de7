// Names for primitives created without one, read from the creation site: the variable or
// field the new object is assigned to (`const lockA = new Lock()` is "lockA", a class field
// is "this.lockA"), else "Lock@file.ts:12". Also the creation site itself, which findings cite.
import { readFileSync } from "node:fs";
import path from "node:path";
import { stackText } from "./siteCache.ts";
import { parseFrame, type SourceSite } from "./stackFrames.ts";

export { parseFrame, type SourceSite };

// Frames in threadlens' own runtime are skipped: the bundle (dist/runtime.js), the preload
// (dist/register.mjs: its CommonJS loader calls a module's top level) and, when its source
// map is applied, the sources they came from (src/runtime/*.ts).
const runtimeDir = __dirname;
const packageRoot = path.dirname(runtimeDir);
const ownSources = [
  path.join(runtimeDir, "runtime.js"),
  path.join(runtimeDir, "register.mjs"),
  path.join(packageRoot, "src", "runtime") + path.sep,
];

// Frames inside the libraries threadlens instruments (instrument/asyncMutex.ts) are skipped
// too: a site is the line of the program that called into them.
const INSTRUMENTED_LIBRARIES = /[\\/]node_modules[\\/](?:async-mutex|tslib)[\\/]/;

export function isOwnFrame(file: string): boolean {
  return (
    ownSources.some((own) => file === own || file.startsWith(own)) ||
    INSTRUMENTED_LIBRARIES.test(file)
  );
}

/** The first stack frame outside threadlens: where user code called into the API. */
export function callerSite(): SourceSite | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 20;
  const error = new Error();
  Error.stackTraceLimit = limit;
  const stack = stackText(error);
  for (const text of stack.split("\n").slice(1)) {
    const site = parseFrame(text);
    if (site === undefined || site.file.startsWith("node:") || isOwnFrame(site.file)) continue;
    return site;
  }
  return undefined;
}

const sourceLines = new Map<string, readonly string[] | null>();

function lineOf(file: string, line: number): string | undefined {
  let lines = sourceLines.get(file);
  if (lines === undefined) {
    try {
      lines = readFileSync(file, "utf8").split(/\r?\n/);
    } catch {
      lines = null;
    }
    sourceLines.set(file, lines);
  }
  return lines?.[line - 1];
}

const DECLARED =
  /(?:\b(?:const|let|var)\s+|,\s*)([A-Za-z_$][\w$]*)\s*(?::[^=;]*)?=\s*(?:await\s+)?$/;
const THIS_FIELD = /\bthis\.(#?[A-Za-z_$][\w$]*)\s*=\s*$/;
const CLASS_FIELD =
  /^\s*(?:(?:private|public|protected|readonly|static|declare|override)\s+)*(#?[A-Za-z_$][\w$]*)\s*[?!]?\s*(?::[^=;]*)?=\s*$/;
const PROPERTY = /([A-Za-z_$][\w$]*)\s*:\s*$/;
const ASSIGNED = /([A-Za-z_$][\w$.]*)\s*=\s*$/;

/** The name user code gives the object created at `site`, if the source says one. */
export function nameFromSite(site: SourceSite): string | undefined {
  const text = lineOf(site.file, site.line);
  if (text === undefined) return undefined;
  // The frame's column points at the `new` expression; what precedes it names the target.
  const before = text.slice(0, Math.max(0, site.column - 1)).replace(/new\s*$/, "");
  let m = DECLARED.exec(before);
  if (m?.[1] !== undefined) return m[1];
  m = THIS_FIELD.exec(before);
  if (m?.[1] !== undefined) return `this.${m[1]}`;
  if (
    site.functionName.startsWith("new ") ||
    site.functionName.endsWith("<instance_members_initializer>")
  ) {
    m = CLASS_FIELD.exec(before);
    if (m?.[1] !== undefined) return `this.${m[1]}`;
  }
  m = PROPERTY.exec(before);
  if (m?.[1] !== undefined) return m[1];
  m = ASSIGNED.exec(before);
  if (m?.[1] !== undefined) return m[1];
  return undefined;
}

/** A name for a new `kind` object created by user code: from its site, else kind@file:line. */
export function defaultName(kind: string, site: SourceSite | undefined): string {
  if (site === undefined) return kind;
  return nameFromSite(site) ?? `${kind}@${path.basename(site.file)}:${site.line}`;
}
