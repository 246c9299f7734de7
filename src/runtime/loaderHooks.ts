// Module loader hooks (registered by register.ts in every thread): run .ts/.mts/.cts/.tsx
// files, and resolve the specifiers TypeScript code writes ("./util.js" for util.ts,
// extensionless "./util"). CommonJS TypeScript is handed to Node's CommonJS loader, where
// register.ts's require hook compiles it, so that `require()` inside it works as usual.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { claimedByOtherLoader, type ClaimWords } from "./loaderClaims.ts";
import {
  declaredModule,
  formatOf,
  isTypeScriptFile,
  readCached,
  toSyntaxError,
  transformOptions,
  writeCached,
} from "./tsTransform.ts";
import { typeScriptAlternatives } from "./typeScriptSpecifiers.ts";
import { markTypeScript } from "./typeScriptSeen.ts";

interface ResolveContext {
  readonly parentURL?: string;
  readonly conditions: readonly string[];
}
interface ResolveResult {
  readonly url: string;
  readonly format?: string | null;
  readonly shortCircuit?: boolean;
}
interface LoadResult {
  readonly format: string;
  readonly source?: string | ArrayBuffer | Uint8Array | null;
  readonly shortCircuit?: boolean;
}
type NextResolve = (specifier: string, context?: ResolveContext) => Promise<ResolveResult>;
type NextLoad = (url: string, context?: unknown) => Promise<LoadResult>;

const RELATIVE = /^\.{1,2}\/|^\/|^file:/;

// The runtime that sits beside these hooks (dist/runtime.js). A program's `import "threadlens"`
// is sent there, whichever copy of the package the program itself depends on: the preload's
// recorder and the program's primitives must be one runtime, with one state per thread. Through
// its ES module face (dist/runtime.mjs, written by the build), which names its exports: Node
// would otherwise scan the whole CommonJS bundle for them in every thread.
const OWN_RUNTIME = new URL("./runtime.mjs", import.meta.url).href;

export async function resolve(
  specifier: string,
  context: ResolveContext,
  next: NextResolve,
): Promise<ResolveResult> {
  if (specifier === "threadlens") return { url: OWN_RUNTIME, format: "module", shortCircuit: true };
  try {
    return await next(specifier, context);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const parent = context.parentURL;
    if (parent === undefined || !RELATIVE.test(specifier)) throw error;
    if (code !== "ERR_MODULE_NOT_FOUND" && code !== "ERR_UNSUPPORTED_DIR_IMPORT") throw error;
    for (const candidate of typeScriptAlternatives(specifier)) {
      const url = new URL(candidate, parent);
      if (existsSync(fileURLToPath(url))) return { url: url.href, shortCircuit: true };
    }
    throw error;
  }
}

// One set of claim words per register() call (each thread of the program registers these
// hooks; Node may run them all in one hooks thread).
const claimWords: ClaimWords[] = [];

// The process's "TypeScript loaded" words (typeScriptSeen.ts), one per register() call.
const typeScriptWords: Int32Array[] = [];

export function initialize(
  data: { claims?: ClaimWords; typeScript?: Int32Array } | undefined,
): void {
  if (data?.claims !== undefined) claimWords.push(data.claims);
  if (data?.typeScript !== undefined) typeScriptWords.push(data.typeScript);
}

/**
 * What an ES module loader registered before this one (`--import tsx`, `--loader ts-node/esm`)
 * makes of a TypeScript file, or undefined when none handles it (Node's own load refuses the
 * extension, or on Node ≥ 22.18 offers to strip types, which the preload's transform
 * replaces).
 */
async function otherLoaderResult(
  url: string,
  context: unknown,
  next: NextLoad,
): Promise<LoadResult | undefined> {
  try {
    const loaded = await next(url, context);
    return /-typescript$/.test(loaded.format) ? undefined : loaded;
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_UNKNOWN_FILE_EXTENSION") return undefined;
    throw error;
  }
}

type Esbuild = typeof import("esbuild");
let esbuild: Promise<Esbuild> | undefined;

// async-mutex's ES module build (index.mjs, one file) declares its classes and withTimeout as
// module bindings, which stay assignable inside the module and are exported live: code appended
// to it replaces them with the runtime's instrumented versions (instrument/asyncMutex.ts), for
// the program and for the package's own uses alike.
const ASYNC_MUTEX_ESM = /\/node_modules\/async-mutex\/index\.mjs$/;
const ASYNC_MUTEX_TAIL = `
;{ const hook = globalThis[Symbol.for("threadlens.asyncMutex")];
  if (hook !== undefined) {
    Semaphore = hook.semaphore(Semaphore);
    Mutex = hook.mutex(Mutex);
    withTimeout = hook.withTimeout(withTimeout);
  } }
`;

async function loadAsyncMutex(url: string, context: unknown, next: NextLoad): Promise<LoadResult> {
  const loaded = await next(url, context);
  const source = loaded.source;
  if (source === undefined || source === null) return loaded;
  const text = typeof source === "string" ? source : new TextDecoder().decode(source);
  return { ...loaded, source: text + ASYNC_MUTEX_TAIL };
}

export async function load(url: string, context: unknown, next: NextLoad): Promise<LoadResult> {
  if (!url.startsWith("file:")) return next(url, context);
  if (ASYNC_MUTEX_ESM.test(url)) return loadAsyncMutex(url, context, next);
  const file = fileURLToPath(url);
  if (!isTypeScriptFile(file)) return next(url, context);
  for (const word of typeScriptWords) markTypeScript(word);
  // A CommonJS TypeScript loader (ts-node, @swc-node/register) compiles its files to CommonJS,
  // `import` syntax included: Node's CommonJS loader hands them to it (loaderClaims.ts).
  if (claimedByOtherLoader(claimWords, file) && !declaredModule(file))
    return { format: "commonjs", shortCircuit: true };
  const other = await otherLoaderResult(url, context, next);
  if (other !== undefined) return other;
  const source = readFileSync(file, "utf8");
  const format = formatOf(file, source);
  if (format === "commonjs") return { format: "commonjs", shortCircuit: true };
  let code = readCached(file, source, format);
  if (code === undefined) {
    esbuild ??= import("esbuild");
    try {
      code = (await (await esbuild).transform(source, transformOptions(file, format))).code;
    } catch (error) {
      throw toSyntaxError(file, error);
    }
    writeCached(file, source, format, code);
  }
  return { format: "module", source: code, shortCircuit: true };
}
