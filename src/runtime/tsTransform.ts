// TypeScript to JavaScript for the preload (loader hooks and require hook): esbuild's
// transform with inline source maps, so stacks, findings and the debugger show .ts lines.
// Results are cached on disk by content, so the hundredth worker thread that loads the same
// module does not start another esbuild.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  ESM_SYNTAX,
  MODULE_ONLY_SYNTAX,
  declaredModule,
  isTypeScriptFile,
  packageType,
} from "./moduleFormat.ts";
import { TypeScriptSyntaxError, toSyntaxError } from "../protocol/typeScriptFiles.ts";
import { cacheDir } from "../protocol/codeCache.ts";
import { markTypeScript } from "./typeScriptSeen.ts";
import { internally } from "./internalWait.ts";

export { declaredModule, isTypeScriptFile, TypeScriptSyntaxError, toSyntaxError };

export type ModuleFormat = "module" | "commonjs";

const CJS_SYNTAX =
  /\brequire\s*\(|\bmodule\.exports\b|\bexports\.[\w$]+\s*=|\b__dirname\b|\b__filename\b/;

/**
 * Whether a TypeScript file runs as an ES module or CommonJS: by extension (.mts/.cts), then
 * by `"type": "module"` of its package, then by its syntax (import/export/import.meta/top-level
 * await without require/module.exports/__dirname means ESM), as Node does for .js.
 */
export function formatOf(file: string, source: string): ModuleFormat {
  if (file.endsWith(".mts")) return "module";
  if (file.endsWith(".cts")) return "commonjs";
  if (packageType(path.dirname(file)) === "module") return "module";
  const esm = ESM_SYNTAX.test(source);
  const cjs = CJS_SYNTAX.test(source);
  if (esm && !cjs) return "module";
  if (esm && cjs && MODULE_ONLY_SYNTAX.test(source)) return "module";
  return "commonjs";
}

const CACHE_VERSION = "3";
// Where the preload keeps what it compiled (TypeScript here, V8 code in runtimeCode.ts).
export { cacheDir };

/**
 * 128 bits of a text, in four lanes (each an xor-multiply with its own offset and odd
 * multiplier, then murmur3's finalizer), and its length: names a compiled module by its path,
 * format and source. Not node:crypto, which is twenty more builtins to load in every thread
 * that reads the cache (the loader hooks thread of each worker with a TypeScript entry among
 * them). Accidental collisions only (the inputs are the user's own files).
 */
export function contentHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  let c = 0x2545f491;
  let d = 0x68e31da4;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    a = Math.imul(a ^ ch, 0x01000193);
    b = Math.imul(b ^ ch, 0x5bd1e995);
    c = Math.imul(c ^ ch, 0x85ebca6b);
    d = Math.imul(d ^ ch, 0xc2b2ae35);
  }
  const fin = (h: number): string => {
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return (h >>> 0).toString(36).padStart(7, "0");
  };
  return `${fin(a)}${fin(b)}${fin(c)}${fin(d)}-${text.length.toString(36)}`;
}

function cachePath(file: string, source: string, format: ModuleFormat): string {
  const hash = contentHash(`${CACHE_VERSION}\0${file}\0${format}\0${source}`);
  return path.join(cacheDir, `${hash}.js`);
}

export function readCached(file: string, source: string, format: ModuleFormat): string | undefined {
  try {
    return readFileSync(cachePath(file, source, format), "utf8");
  } catch {
    return undefined;
  }
}

export function writeCached(
  file: string,
  source: string,
  format: ModuleFormat,
  code: string,
): void {
  try {
    mkdirSync(cacheDir, { recursive: true });
    const target = cachePath(file, source, format);
    const temp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(temp, code);
    renameSync(temp, target);
  } catch {
    // A cache that cannot be written only costs speed.
  }
}

export function transformOptions(file: string, format: ModuleFormat) {
  return {
    loader: file.endsWith("x") ? ("tsx" as const) : ("ts" as const),
    format: format === "module" ? ("esm" as const) : ("cjs" as const),
    sourcemap: "inline" as const,
    sourcefile: file,
    target: "node20",
    // Kept as written: at target node20 esbuild drops `with { type: "json" }`, which Node
    // (20.10 on) requires of a JSON import.
    supported: { "import-attributes": true },
    logLevel: "silent" as const,
  };
}

type Esbuild = typeof import("esbuild");

/**
 * `source` of `file` as JavaScript of `format`, compiled now (the preload's require hook, the
 * worker precompiler): from the cache, else by esbuild's synchronous transform, loaded by
 * `loadEsbuild` only then (a program whose modules are all cached never starts esbuild), and
 * cached. Throws a TypeScriptSyntaxError for code that does not compile.
 */
export function compileSync(
  file: string,
  source: string,
  format: ModuleFormat,
  loadEsbuild: () => Esbuild,
): string {
  markTypeScript();
  const cached = readCached(file, source, format);
  if (cached !== undefined) return cached;
  const esbuild = loadEsbuild();
  const code = internally(() => {
    try {
      return esbuild.transformSync(source, transformOptions(file, format)).code;
    } catch (error) {
      throw toSyntaxError(file, error);
    }
  });
  writeCached(file, source, format, code);
  return code;
}
