// Which worker starts, and which Process children, run on an entry compiled ahead
// (workerPrecompile.ts, its own bundle, loaded here on a thread's first such start) rather
// than through the module hooks: a TypeScript entry file, in a process where the preload is the only loader (another
// TypeScript loader, a --loader, a --require or --import of the program's own, or resolution
// options would make the hooks' answers something this does not reproduce), with no
// execArgv of the worker's own. THREADLENS_WORKER_PRECOMPILE=0 turns it off (every such
// worker then starts the hooks, as before).
import { existsSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { WorkerOptions } from "node:worker_threads";
import { buildKey } from "../protocol/codeCache.ts";
import { resolutionOptions } from "./esmGraph.ts";
import { claimedByOtherLoader, type ClaimWords } from "./loaderClaims.ts";
import { isTypeScriptFile } from "./moduleFormat.ts";
import { POOL_MODULE_KEY, TS_CLAIMS_KEY } from "./moduleHooks.ts";
import { hasOtherLoaders, preloadIsOnlyLoader } from "./process/childArgv.ts";

type Precompiler = typeof import("./workerPrecompile.ts");

const bundle = path.join(__dirname, "workerPrecompile.js");
let precompiler: Precompiler | undefined;

function settingsAllow(file: string): boolean {
  if (process.env["THREADLENS_WORKER_PRECOMPILE"] === "0") return false;
  const claims = (globalThis as Record<symbol, unknown>)[TS_CLAIMS_KEY] as ClaimWords | undefined;
  if (claims === undefined || claimedByOtherLoader([claims], file)) return false;
  if (!preloadIsOnlyLoader(process.execArgv) || resolutionOptions()) return false;
  const nodeOptions = (process.env["NODE_OPTIONS"] ?? "").split(/\s+/).filter((o) => o !== "");
  return !hasOtherLoaders(nodeOptions);
}

/**
 * The compiled module (a path) to start a worker or a child process on instead of its
 * TypeScript entry `file`, or undefined to start it as given (with the hooks).
 */
export function compiledEntry(
  file: string | undefined,
  options: WorkerOptions | undefined,
): string | undefined {
  if (file === undefined || !isTypeScriptFile(file)) return undefined;
  if (options?.execArgv !== undefined || options?.eval === true) return undefined;
  if (!settingsAllow(file)) return undefined;
  try {
    precompiler ??= createRequire(__filename)(bundle) as Precompiler;
    return precompiler.precompileWorkerEntry(file, {
      ownRuntime: path.join(__dirname, "runtime.mjs"),
      build: buildKey(bundle),
    });
  } catch {
    return undefined; // the hooks, as before
  }
}

/**
 * A Pool worker's entry for its TypeScript module compiled ahead: a module beside the compiled
 * graph that imports it statically, leaves it for the pool's worker script (poolWorker.ts) and
 * runs that script, which then imports nothing (its own `import()`, for a module not compiled
 * ahead, is what would need the hooks). Undefined: the pool worker script, as before.
 */
export function compiledPoolShim(modulePath: string): string | undefined {
  const compiled = compiledEntry(modulePath, undefined);
  if (compiled === undefined) return undefined;
  const shim = compiled.replace(/\.mjs$/, ".pool.mjs");
  if (existsSync(shim)) return shim;
  const key = `Symbol.for(${JSON.stringify(POOL_MODULE_KEY.description)})`;
  const text =
    `// A Pool worker's entry (threadlens, runtime/precompiledEntry.ts).\n` +
    `import * as loaded from ${JSON.stringify(pathToFileURL(compiled).href)};\n` +
    `import { createRequire } from "node:module";\n` +
    `globalThis[${key}] = loaded;\n` +
    `createRequire(${JSON.stringify(pathToFileURL(shim).href)})(${JSON.stringify(path.join(__dirname, "poolWorker.js"))});\n`;
  try {
    const temp = `${shim}.${process.pid}.tmp`;
    writeFileSync(temp, text);
    renameSync(temp, shim);
  } catch {
    return undefined;
  }
  return shim;
}
