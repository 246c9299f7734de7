// Which worker starts, and which Process children, run on an entry compiled ahead
// (workerPrecompile.ts, its own bundle, loaded by protocol/precompiler.ts on a thread's first
// such start) rather than through the module hooks: a TypeScript entry file, in a process where
// the preload is the only loader (another TypeScript loader, a --loader, a --require or
// --import of the program's own, or resolution options would make the hooks' answers something
// this does not reproduce), with no execArgv of the worker's own. THREADLENS_WORKER_PRECOMPILE=0 turns it off (every such
// worker then starts the hooks, as before).
import type { WorkerOptions } from "node:worker_threads";
import { nodeOptionsOf, poolShimIn, precompiledEntryIn } from "../protocol/precompiler.ts";
import { resolutionOptions } from "./esmGraph.ts";
import { claimedByOtherLoader, type ClaimWords } from "./loaderClaims.ts";
import { isTypeScriptFile } from "./moduleFormat.ts";
import { TS_CLAIMS_KEY } from "./moduleHooks.ts";
import { hasOtherLoaders, preloadIsOnlyLoader } from "./process/childArgv.ts";
import { markTypeScript } from "./typeScriptSeen.ts";

function settingsAllow(file: string): boolean {
  if (process.env["THREADLENS_WORKER_PRECOMPILE"] === "0") return false;
  const claims = (globalThis as Record<symbol, unknown>)[TS_CLAIMS_KEY] as ClaimWords | undefined;
  if (claims === undefined || claimedByOtherLoader([claims], file)) return false;
  if (!preloadIsOnlyLoader(process.execArgv) || resolutionOptions()) return false;
  return !hasOtherLoaders(nodeOptionsOf(process.env));
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
  markTypeScript();
  // (Code evaluated from a string has no entry file: `file` is undefined then.)
  if (options?.execArgv !== undefined) return undefined;
  if (!settingsAllow(file)) return undefined;
  return precompiledEntryIn(__dirname, file);
}

/**
 * A Pool worker's entry for its TypeScript module compiled ahead: a module beside the compiled
 * graph that imports it statically, leaves it for the pool's worker script (poolWorker.ts) and
 * runs that script, which then imports nothing (its own `import()`, for a module not compiled
 * ahead, is what would need the hooks). Undefined: the pool worker script, as before.
 */
export function compiledPoolShim(modulePath: string): string | undefined {
  const compiled = compiledEntry(modulePath, undefined);
  return compiled === undefined ? undefined : poolShimIn(__dirname, compiled);
}
