// Whether an ES module and what it imports statically load the same without the preload's ES
// module hooks (moduleHooks.ts): on Node 20 the hooks run in a thread of their own that costs
// each thread registering them about as much as a worker's start, while most ES module
// programs (a node:test file, a script importing npm packages) need nothing of them. They are
// needed for a TypeScript file, a bare `threadlens` that is not the preload's own copy (sent
// to the preload's runtime),
// async-mutex's ES module build (instrumented in its source, unless the preload's ES module
// build instruments it in place: esmGraphAsyncMutexBuilds) and whatever a dynamic `import()`
// may load (a worker of a JavaScript program scans the modules it names instead: register.ts,
// importTargets.ts). The scan reads each ES module of the static graph once and looks for those; any
// doubt (a specifier it cannot resolve, a package `imports` name, a graph larger than it
// reads) answers "needed". CommonJS modules are not followed: the preload's require hooks
// cover them, and register.ts starts the module hooks before one that imports dynamically
// or loads an ES module through require() runs.
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { isBuiltin } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { typeScriptAlternatives } from "./typeScriptSpecifiers.ts";
import { ESM_SYNTAX, isTypeScriptFile, packageType } from "./moduleFormat.ts";
import { RESOLUTION_OPTION } from "../protocol/precompiler.ts";

/** `from "x"`, `import "x"` (static imports and re-exports). */
const SPECIFIER = /(?:\bfrom|\bimport)\s*(["'])([^"'\n]+)\1/g;
const DYNAMIC_IMPORT = /\bimport\s*\(/g;
/** A JSDoc type (`@param {import('./types').Options}`) up to the match. */
const JSDOC_TYPE = /@\w+\s*\{\s*$/;

/** The text of `source`'s line up to `index`. */
function lineBefore(source: string, index: number): string {
  return source.slice(source.lastIndexOf("\n", index) + 1, index);
}

/**
 * Whether a line's text up to a match (`lineBefore`) leaves the match in a comment: a line
 * comment, a JSDoc line (`* …`) or a block comment not closed before it (`/* c *\/ import(x)`
 * is code).
 */
function inComment(before: string): boolean {
  if (/^\s*\/\//.test(before)) return true;
  return /^\s*(?:\/\*|\*)/.test(before) && !before.includes("*/");
}

/**
 * Whether `source` calls import(): an `import(` that is not in a comment line nor a JSDoc type
 * (libraries name types that way in comments), read line by line; a doubtful one counts.
 */
export function hasDynamicImport(source: string): boolean {
  for (const match of source.matchAll(DYNAMIC_IMPORT)) {
    const before = lineBefore(source, match.index);
    if (!inComment(before) && !JSDOC_TYPE.test(before)) return true;
  }
  return false;
}
/** More ES modules than this in one graph: the hooks, rather than the scan's cost. */
const SCAN_LIMIT = 300;
/** Node 20's conditions for import (node-addons unless --no-addons, which scanGraph leaves to the hooks). */
const CONDITIONS = new Set(["node", "import", "node-addons", "default"]);

/** The module format Node gives `file` when it is imported (or required). */
export function importedFormat(file: string, source?: string): "module" | "commonjs" | "other" {
  if (file.endsWith(".mjs")) return "module";
  if (file.endsWith(".cjs")) return "commonjs";
  if (!file.endsWith(".js")) return "other";
  if (packageType(path.dirname(file)) === "module") return "module";
  // Node 20 loads a .js file with ES module syntax outside a "type": "module" package as one.
  return ESM_SYNTAX.test(source ?? readFileSync(file, "utf8")) ? "module" : "commonjs";
}

export function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

interface PackageJson {
  readonly main?: unknown;
  readonly exports?: unknown;
}

/** A target of a package's "exports" under Node's conditions for import; undefined: none. */
function exportTarget(target: unknown, star: string | undefined): string | undefined {
  if (typeof target === "string") {
    if (!target.startsWith("./")) return undefined;
    return star === undefined ? target : target.replaceAll("*", star);
  }
  if (Array.isArray(target)) {
    for (const t of target) {
      const found = exportTarget(t, star);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (target === null || typeof target !== "object") return undefined;
  for (const [condition, value] of Object.entries(target as Record<string, unknown>)) {
    if (!CONDITIONS.has(condition)) continue;
    if (value === null) return undefined;
    const found = exportTarget(value, star);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The "./…" path `subpath` ("." or "./x") of a package with "exports" maps to. */
function exportsPath(exports: unknown, subpath: string): string | undefined {
  const isMap =
    exports !== null &&
    typeof exports === "object" &&
    !Array.isArray(exports) &&
    Object.keys(exports).some((k) => k.startsWith("."));
  if (!isMap) return subpath === "." ? exportTarget(exports, undefined) : undefined;
  const map = exports as Record<string, unknown>;
  if (Object.hasOwn(map, subpath) && !subpath.includes("*"))
    return exportTarget(map[subpath], undefined);
  let best: { key: string; star: string } | undefined;
  for (const key of Object.keys(map)) {
    const at = key.indexOf("*");
    if (at < 0 || key.indexOf("*", at + 1) >= 0) continue;
    const prefix = key.slice(0, at);
    const suffix = key.slice(at + 1);
    if (!subpath.startsWith(prefix) || subpath.length < key.length - 1) continue;
    if (!subpath.endsWith(suffix)) continue;
    if (best === undefined || prefix.length > best.key.indexOf("*"))
      best = { key, star: subpath.slice(prefix.length, subpath.length - suffix.length) };
  }
  return best === undefined ? undefined : exportTarget(map[best.key], best.star);
}

/** Node's legacy "main" resolution for a package without "exports". */
function mainPath(dir: string, main: unknown): string | undefined {
  const candidates: string[] = [];
  if (typeof main === "string" && main !== "") {
    const base = path.join(dir, main);
    candidates.push(base, `${base}.js`, `${base}.json`, `${base}.node`);
    candidates.push(path.join(base, "index.js"), path.join(base, "index.json"));
  }
  candidates.push(path.join(dir, "index.js"), path.join(dir, "index.json"));
  return candidates.find(isFile);
}

/** The file a bare specifier names from `parentDir`, as Node's import resolves it. */
export function resolvePackage(specifier: string, parentDir: string): string | undefined {
  const parts = specifier.split("/");
  const nameParts = specifier.startsWith("@") ? 2 : 1;
  if (parts.length < nameParts || parts.slice(0, nameParts).some((p) => p === "")) return;
  const name = parts.slice(0, nameParts).join("/");
  const subpath = parts.length === nameParts ? "." : `./${parts.slice(nameParts).join("/")}`;
  for (let dir = parentDir; ;) {
    const pkgDir = path.join(dir, "node_modules", name);
    const pkgFile = path.join(pkgDir, "package.json");
    if (existsSync(pkgFile)) {
      let pkg: PackageJson;
      try {
        pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as PackageJson;
      } catch {
        return undefined;
      }
      if (pkg.exports !== undefined && pkg.exports !== null) {
        const target = exportsPath(pkg.exports, subpath);
        return target === undefined ? undefined : path.join(pkgDir, target);
      }
      return subpath === "." ? mainPath(pkgDir, pkg.main) : path.join(pkgDir, subpath);
    }
    if (existsSync(pkgDir)) return undefined; // a package without package.json: unusual
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The file `specifier` names from the module `parent`; "hooks" when the preload's hooks
 * matter for it (or it cannot tell), "builtin" for Node's own modules.
 */
function resolveSpecifier(specifier: string, parent: string): string | "hooks" | "builtin" {
  if (specifier === "threadlens") {
    // The preload's own copy (its ES module face requires the package's name, which the
    // preload's require hook sends to its runtime): as good as the hooks' answer.
    const file = resolvePackage(specifier, path.dirname(parent));
    return file !== undefined && ownRuntimeFace !== undefined && realFile(file) === ownRuntimeFace
      ? "builtin"
      : "hooks";
  }
  if (specifier.startsWith("threadlens/")) return "hooks";
  return resolvedImport(specifier, parent) ?? "hooks";
}

/**
 * Where an import of `specifier` (not threadlens') from the module `parent` leads as Node
 * resolves it: a file's real path, "builtin" for Node's own modules, undefined when the hooks'
 * answer may differ or this cannot tell (queries, fragments, package "imports" names, other
 * schemes, a file that is not there). `typeScriptCandidates`: a relative specifier that names
 * no file is tried as the hooks try it (`./x.js` for `x.ts`, extensionless), as the worker
 * precompiler compiles what they would load.
 */
export function resolvedImport(
  specifier: string,
  parent: string,
  typeScriptCandidates = false,
): string | "builtin" | undefined {
  if (isBuiltin(specifier)) return "builtin";
  if (/[?#]/.test(specifier.slice(1)) || specifier.startsWith("#")) return undefined;
  let file: string | undefined;
  if (/^\.{0,2}\//.test(specifier) || specifier.startsWith("file:")) {
    const base = pathToFileURL(parent);
    const url = new URL(specifier, base);
    if (url.protocol !== "file:") return undefined;
    const direct = fileURLToPath(url);
    // Node's resolution fails for a missing file or a folder; the hooks try their candidates.
    file =
      isFile(direct) || !typeScriptCandidates
        ? direct
        : typeScriptAlternatives(specifier)
            .map((candidate) => fileURLToPath(new URL(candidate, base)))
            .find(isFile);
  } else if (/^[a-z][a-z\d+.-]*:/i.test(specifier)) return undefined;
  else file = resolvePackage(decodeURIComponent(specifier), path.dirname(parent));
  return file === undefined ? undefined : realFile(file);
}

/** The real path of `file` when it is a file; undefined when it is not one. */
export function realFile(file: string): string | undefined {
  if (!isFile(file)) return undefined;
  try {
    return realpathSync(file);
  } catch {
    return undefined;
  }
}

let ownRuntimeFace: string | undefined;

/**
 * The ES module face of the preload's runtime (dist/runtime.mjs): an import of "threadlens"
 * that resolves to it needs no hooks.
 */
export function setOwnRuntimeFace(file: string): void {
  ownRuntimeFace = realFile(file);
}

/**
 * async-mutex's ES module build, which the hooks instrument (loaderHooks.ts), or the preload in
 * place (register.ts, instrument/asyncMutexModule.ts).
 */
const ASYNC_MUTEX_ESM = /[\\/]node_modules[\\/]async-mutex[\\/]index\.mjs$/;

/** Node options that change how imports resolve or what a .js file is. */
export function resolutionOptions(): boolean {
  return process.execArgv.some((arg) => RESOLUTION_OPTION.test(arg));
}

interface GraphAnswer {
  /**
   * Something in the graph needs the hooks (besides async-mutex's ES module build and dynamic
   * imports).
   */
  readonly hooks: boolean;
  /** A module of the graph imports dynamically. */
  readonly dynamic: boolean;
  /** The async-mutex ES module builds in the graph (real paths). */
  readonly asyncMutex: readonly string[];
}
const answers = new Map<string, GraphAnswer>();
/** Node's modules the ES modules scanned in this thread import, without their `node:`. */
const builtinsSeen = new Set<string>();

/** Whether an ES module scanned in this thread imports Node's module `name` statically. */
export function scannedImportOf(name: string): boolean {
  return builtinsSeen.has(name);
}

/**
 * True when the ES module `entry` (a path), or an ES module it imports statically, needs the
 * module hooks for what it imports statically: see the file's comment. Its dynamic imports
 * are told apart (esmGraphImportsDynamically): what they need depends on the thread.
 */
export function esmGraphNeedsHooks(entry: string, entrySource?: string): boolean {
  const answer = graphAnswer(entry, entrySource);
  return answer.hooks || answer.asyncMutex.length > 0;
}

/** Whether a module of the ES module `entry`'s static graph imports dynamically. */
export function esmGraphImportsDynamically(entry: string, entrySource?: string): boolean {
  return graphAnswer(entry, entrySource).dynamic;
}

/**
 * The async-mutex ES module builds that the graph of `entry` reaches when they are all it
 * needs the hooks for (none: it needs nothing); undefined when something else needs them.
 * `dynamicCovered`: its dynamic imports do not count (the caller has scanned what they load:
 * moduleHooks.ts).
 */
export function esmGraphAsyncMutexBuilds(
  entry: string,
  entrySource?: string,
  dynamicCovered = false,
): readonly string[] | undefined {
  const answer = graphAnswer(entry, entrySource);
  return answer.hooks || (answer.dynamic && !dynamicCovered) ? undefined : answer.asyncMutex;
}

function graphAnswer(entry: string, entrySource: string | undefined): GraphAnswer {
  const known = answers.get(entry);
  if (known !== undefined) return known;
  const found: Found = { dynamic: false, asyncMutex: [] };
  const hooks = scan(entry, entrySource, found);
  const answer = { hooks, dynamic: found.dynamic, asyncMutex: found.asyncMutex };
  answers.set(entry, answer);
  return answer;
}

/** What a scan found that needs the hooks only in some threads. */
interface Found {
  dynamic: boolean;
  readonly asyncMutex: string[];
}

function scan(entry: string, entrySource: string | undefined, found: Found): boolean {
  try {
    return scanGraph(entry, entrySource, found);
  } catch {
    // What the scan could not read (a malformed specifier its pattern took from a string):
    // the hooks, as for any doubt.
    return true;
  }
}

function scanGraph(entry: string, entrySource: string | undefined, found: Found): boolean {
  if (resolutionOptions()) return true;
  const seen = new Set<string>([entry]);
  const queue: { file: string; source: string | undefined }[] = [
    { file: entry, source: entrySource },
  ];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    let source: string;
    try {
      source = next.source ?? readFileSync(next.file, "utf8");
    } catch {
      return true;
    }
    if (hasDynamicImport(source)) found.dynamic = true;
    for (const match of source.matchAll(SPECIFIER)) {
      const specifier = match[2] ?? "";
      // Text of a template literal (`exported from "${file}"` in an error message), or of a
      // comment line (`// import x from "y"`): no module.
      if (specifier.includes("${") || inComment(lineBefore(source, match.index))) continue;
      let resolved: string;
      try {
        resolved = resolveSpecifier(specifier, next.file);
      } catch (error) {
        // Malformed percent-encoding (`from "%s"` in an error message's format): Node loads no
        // module by such a specifier, with or without the hooks.
        if (error instanceof URIError) continue;
        throw error;
      }
      if (resolved === "hooks") return true;
      if (resolved === "builtin") builtinsSeen.add(specifier.replace(/^node:/, ""));
      if (resolved === "builtin" || seen.has(resolved)) continue;
      seen.add(resolved);
      if (isTypeScriptFile(resolved)) return true;
      if (ASYNC_MUTEX_ESM.test(resolved)) {
        found.asyncMutex.push(resolved); // imports nothing
        continue;
      }
      let format: ReturnType<typeof importedFormat>;
      try {
        format = importedFormat(resolved);
      } catch {
        return true;
      }
      if (format !== "module") continue;
      if (seen.size > SCAN_LIMIT) return true;
      queue.push({ file: resolved, source: undefined });
    }
  }
  return false;
}
