// TypeScript to JavaScript for the preload (loader hooks and require hook): esbuild's
// transform with inline source maps, so stacks, findings and the debugger show .ts lines.
// Results are cached on disk by content, so the hundredth worker thread that loads the same
// module does not start another esbuild.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
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

const CACHE_VERSION = "1";
// Where the preload keeps what it compiled (TypeScript here, V8 code in runtimeCode.ts).
export { cacheDir };
// node:crypto is twenty more builtins to load: only a thread that compiles TypeScript does.
// A require from any absolute path finds builtins; this module is bundled both as an ES module
// and as CommonJS, so it has neither import.meta nor __filename to hand in every bundle.
const requireBuiltin = createRequire(path.join(cacheDir, "builtins.js"));

function cachePath(file: string, source: string, format: ModuleFormat): string {
  const { createHash } = requireBuiltin("node:crypto") as typeof import("node:crypto");
  const hash = createHash("sha256")
    .update(`${CACHE_VERSION}\0${file}\0${format}\0${source}`)
    .digest("hex");
  return path.join(cacheDir, `${hash.slice(0, 40)}.js`);
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
    logLevel: "silent" as const,
  };
}
