// A worker whose entry is a TypeScript ES module, started without the ES module hooks
// (instrument/workers.ts; its own bundle, dist/workerPrecompile.js, loaded only then). On Node
// 20 every thread that registers the hooks starts a hooks thread of its own and waits for it:
// about 55 ms of CPU time more than a JavaScript worker's start under the preload, for each
// worker (a pool of eight TypeScript workers: almost half a second). The worker's graph is
// compiled here instead, once a process: each TypeScript module of the entry's static graph
// becomes a JavaScript module in the cache, made of the transform the hooks would load (the
// same code, its source map kept: stacks and sites at TypeScript lines), with
//  - its static specifiers resolved as the hooks resolve them (loaderHooks.ts: Node's
//    resolution, then the TypeScript-style "./x.js" for x.ts and extensionless "./x";
//    "threadlens" to the preload's runtime) and written as absolute file URLs, of the compiled
//    module for a TypeScript one, of the file itself for anything else;
//  - the module's meta object (used only for its url, dirname and filename) the original
//    file's.
// The worker then starts on the entry's compiled module, and its preload decides from that
// JavaScript graph, as for any other entry, that it needs no hooks (esmGraph.ts). Whatever
// this cannot reproduce exactly is left to the hooks, as before: a dynamic import(), another
// use of the meta object, a CommonJS TypeScript module, a specifier it cannot resolve (package
// "imports", a query, another scheme, a file that is not there), a syntax error (the hooks
// report it, with its location).
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, statSync } from "node:fs";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parse } from "es-module-lexer/minimal/js";
import { resolvedImport } from "./esmGraph.ts";
import { cacheDir, compileSync, contentHash, formatOf, isTypeScriptFile } from "./tsTransform.ts";
import { POOL_MODULE_KEY } from "./moduleHooks.ts";
import type { PrecompileSettings } from "../protocol/precompiler.ts";

/** A static import's specifier in a module's code (between its quotes: start, end). */
interface SpecifierEdit {
  readonly start: number;
  readonly end: number;
  /** The resolved file (real path), or undefined for a Node builtin (left as written). */
  readonly target: string | undefined;
}

interface CompiledModule {
  readonly file: string;
  readonly code: string;
  readonly edits: readonly SpecifierEdit[];
  /** Where the meta object's keyword pair stands in the code. */
  readonly metas: readonly number[];
}

/**
 * The meta object's expression, spelled so that this file (CommonJS, as its package's "type"
 * and its require() say) is not taken for an ES module by the format sniffing of
 * moduleFormat.ts when the tests load it from source.
 */
const IMPORT_META = ["import", "meta"].join(".");
/** Written in its place: an identifier of the same length keeps every column. */
const META = "__tlMeta___";
const META_USES = /^\.(?:url|dirname|filename)(?![\w$])/;
const LEXER_STATIC = 1;
const LEXER_META = 3;
/** es-module-lexer's minimal build reports `export * from` as this type in some versions. */
const LEXER_REEXPORT_STAR = 8;
const INLINE_MAP = "//# sourceMappingURL=data:application/json;base64,";

/**
 * The real path of the file `specifier` names from `parent`; null for a builtin; undefined
 * when this does not know it as the hooks would.
 */
function resolveSpecifier(
  specifier: string,
  parent: string,
  settings: PrecompileSettings,
): string | null | undefined {
  if (specifier === "threadlens") return settings.ownRuntime;
  if (specifier.startsWith("threadlens/")) return undefined;
  const resolved = resolvedImport(specifier, parent, true);
  return resolved === "builtin" ? null : resolved;
}

/** The hooks' transform of `file` (from their cache, else made and cached as they would). */
function transformed(file: string, source: string): string | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loadEsbuild = () => require("esbuild") as typeof import("esbuild");
  try {
    return compileSync(file, source, "module", loadEsbuild);
  } catch {
    return undefined; // a syntax error: the hooks report it
  }
}

function compileModule(
  file: string,
  settings: PrecompileSettings,
): { module: CompiledModule; imports: string[] } | undefined {
  const source = readFileSync(file, "utf8");
  if (formatOf(file, source) !== "module") return undefined;
  const code = transformed(file, source);
  if (code === undefined || code.includes(META)) return undefined;
  let imports: ReturnType<typeof parse>[0];
  try {
    [imports] = parse(code);
  } catch {
    return undefined;
  }
  const edits: SpecifierEdit[] = [];
  const metas: number[] = [];
  const children: string[] = [];
  for (const imp of imports) {
    if (imp.t === LEXER_META) {
      if (!META_USES.test(code.slice(imp.e, imp.e + 10))) return undefined;
      metas.push(imp.s);
      continue;
    }
    if ((imp.t !== LEXER_STATIC && imp.t !== LEXER_REEXPORT_STAR) || imp.n === undefined)
      return undefined;
    const quote = code[imp.s - 1];
    if ((quote !== '"' && quote !== "'") || code[imp.e] !== quote) return undefined;
    const target = resolveSpecifier(imp.n, file, settings);
    if (target === undefined) return undefined;
    if (target !== null && isTypeScriptFile(target)) children.push(target);
    edits.push({ start: imp.s - 1, end: imp.e + 1, target: target ?? undefined });
  }
  return { module: { file, code, edits, metas }, imports: children };
}

/** The entry's static graph of TypeScript modules, or undefined when one cannot be compiled. */
function compileGraph(
  entry: string,
  settings: PrecompileSettings,
): Map<string, CompiledModule> | undefined {
  const modules = new Map<string, CompiledModule>();
  const queue = [entry];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (modules.has(file)) continue;
    const compiled = compileModule(file, settings);
    if (compiled === undefined) return undefined;
    modules.set(file, compiled.module);
    for (const child of compiled.imports) if (!modules.has(child)) queue.push(child);
  }
  return modules;
}

/** The source map comment's mappings moved down by one line (a line put before the code). */
function shiftedMap(code: string): string | undefined {
  const at = code.lastIndexOf(INLINE_MAP);
  if (at < 0) return undefined;
  const end = code.indexOf("\n", at);
  const encoded = code.slice(at + INLINE_MAP.length, end < 0 ? undefined : end).trim();
  const map = JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as { mappings: string };
  map.mappings = `;${map.mappings}`;
  const rest = end < 0 ? "" : code.slice(end);
  return `${code.slice(0, at)}${INLINE_MAP}${Buffer.from(JSON.stringify(map)).toString("base64")}${rest}`;
}

function outputText(m: CompiledModule, outputOf: (file: string) => string): string | undefined {
  const spots: { start: number; end: number; text: string }[] = m.edits.map((e) => ({
    start: e.start,
    end: e.end,
    text:
      e.target === undefined
        ? m.code.slice(e.start, e.end)
        : JSON.stringify(
            pathToFileURL(isTypeScriptFile(e.target) ? outputOf(e.target) : e.target).href,
          ),
  }));
  for (const at of m.metas) spots.push({ start: at, end: at + IMPORT_META.length, text: META });
  spots.sort((a, b) => b.start - a.start);
  let code = m.code;
  for (const s of spots) code = code.slice(0, s.start) + s.text + code.slice(s.end);
  if (m.metas.length === 0) return code;
  const shifted = shiftedMap(code);
  if (shifted === undefined) return undefined;
  const meta = {
    url: pathToFileURL(m.file).href,
    dirname: path.dirname(m.file),
    filename: m.file,
  };
  return `const ${META} = ${JSON.stringify(meta)};\n${shifted}`;
}

/**
 * What this process compiled, by entry: a pool's hundredth worker of one entry only checks that
 * none of its graph's TypeScript modules changed on disk (size and time of each) since.
 */
interface CompiledBefore {
  readonly build: string;
  readonly output: string;
  readonly stamps: readonly (readonly [string, string])[];
}
const compiledBefore = new Map<string, CompiledBefore>();

function stampOf(file: string): string {
  try {
    const stat = statSync(file);
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return "";
  }
}

function stampsOf(files: readonly string[]): [string, string][] {
  return files.map((f) => [f, stampOf(f)]);
}

function unchanged(known: CompiledBefore): boolean {
  return known.stamps.every(([file, stamp]) => stamp !== "" && stampOf(file) === stamp);
}

function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

/**
 * The compiled entry module (a path) for a worker whose entry is the TypeScript file `entry`,
 * written to the cache if it is not there; undefined when the worker needs the hooks.
 */
export function precompileWorkerEntry(
  entry: string,
  settings: PrecompileSettings,
): string | undefined {
  let real: string;
  try {
    real = realpathSync(entry);
  } catch {
    return undefined;
  }
  const known = compiledBefore.get(real);
  if (known !== undefined && known.build === settings.build && unchanged(known))
    return known.output;
  const modules = compileGraph(real, settings);
  if (modules === undefined) return undefined;
  // The graph's inputs name its folder: a changed module, or a specifier that now resolves to
  // another file, makes another one (never a stale module beside fresh ones).
  const files = [...modules.keys()].sort();
  const inputs = files.map((f) => {
    const m = modules.get(f) as CompiledModule;
    return `${f}\0${contentHash(m.code)}\0${m.edits.map((e) => e.target ?? "").join("\0")}`;
  });
  const graphKey = contentHash(
    `1\0${settings.build}\0${settings.ownRuntime}\0${inputs.join("\0")}`,
  );
  const dir = path.join(cacheDir, `worker-${graphKey}`);
  const outputOf = (file: string): string =>
    path.join(
      dir,
      `${path.basename(file).replace(/\.[cm]?tsx?$/, "")}-${contentHash(file).slice(0, 7)}.mjs`,
    );
  const entryOutput = outputOf(real);
  if (files.every((f) => existsSync(outputOf(f)))) return entryOutput;
  const texts = new Map<string, string>();
  for (const f of files) {
    const text = outputText(modules.get(f) as CompiledModule, outputOf);
    if (text === undefined) return undefined;
    texts.set(f, text);
  }
  try {
    mkdirSync(dir, { recursive: true });
    // The entry last: once it is there, so is the rest of its graph.
    for (const f of files) if (f !== real) writeAtomically(outputOf(f), texts.get(f) as string);
    writeAtomically(entryOutput, texts.get(real) as string);
  } catch {
    return undefined;
  }
  compiledBefore.set(real, { build: settings.build, output: entryOutput, stamps: stampsOf(files) });
  return entryOutput;
}

/**
 * A Pool worker's entry for its module compiled ahead (`compiled`), beside it: it imports the
 * module statically, leaves it for the pool's worker script (`poolWorkerScript`, poolWorker.ts)
 * and runs that script, which then imports nothing. Undefined when it cannot be written.
 */
export function precompilePoolShim(compiled: string, poolWorkerScript: string): string | undefined {
  const shim = compiled.replace(/\.mjs$/, ".pool.mjs");
  if (existsSync(shim)) return shim;
  const key = `Symbol.for(${JSON.stringify(POOL_MODULE_KEY.description)})`;
  const text =
    `// A Pool worker's entry (threadlens, runtime/workerPrecompile.ts).\n` +
    `import * as loaded from ${JSON.stringify(pathToFileURL(compiled).href)};\n` +
    `import { createRequire } from "node:module";\n` +
    `globalThis[${key}] = loaded;\n` +
    `createRequire(${JSON.stringify(pathToFileURL(shim).href)})(${JSON.stringify(poolWorkerScript)});\n`;
  try {
    writeAtomically(shim, text);
  } catch {
    return undefined;
  }
  return shim;
}
