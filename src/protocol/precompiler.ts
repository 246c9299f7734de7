// The preload's precompiler (dist/workerPrecompile.js, runtime/workerPrecompile.ts), loaded on
// first use from a build's dist folder by whoever starts a program, a worker or a process on an
// entry compiled ahead: the runtime (runtime/precompiledEntry.ts) and a supervisor
// (launch/compiledEntry.ts). Also what both read of Node options to tell whether the hooks'
// answers would be other than the precompiler's.
import { createRequire } from "node:module";
import path from "node:path";
import { buildKey } from "./codeCache.ts";

export interface PrecompileSettings {
  /** The preload's dist/runtime.mjs, what the hooks resolve "threadlens" to. */
  readonly ownRuntime: string;
  /** Names the preload's build: another build writes other files. */
  readonly build: string;
}

/** What dist/workerPrecompile.js exports. */
export interface Precompiler {
  precompileWorkerEntry(entry: string, settings: PrecompileSettings): string | undefined;
  precompilePoolShim(compiled: string, poolWorkerScript: string): string | undefined;
}

/** Node options that load other code before the program (loaders and preloads). */
export const LOADER_OPTION = /^(?:--import|--require|-r|--loader|--experimental-loader)(?:=|$)/;

/** Node options that change how imports resolve or what a .js file is. */
export const RESOLUTION_OPTION =
  /^(?:-C|--conditions|--experimental-default-type|--input-type|--no-addons|--preserve-symlinks(?:-main)?)(?:=|$)/;

/** NODE_OPTIONS of `env`, split at spaces. */
export function nodeOptionsOf(env: NodeJS.ProcessEnv): string[] {
  return (env["NODE_OPTIONS"] ?? "").split(/\s+/).filter((o) => o !== "");
}

const precompilers = new Map<string, Precompiler>();

/**
 * The compiled entry (a path) for the TypeScript file `file`, made by the precompiler of the
 * build in `distDir`; undefined when the entry needs the hooks (or the precompiler failed).
 */
export function precompiledEntryIn(distDir: string, file: string): string | undefined {
  const bundle = path.join(distDir, "workerPrecompile.js");
  try {
    let precompiler = precompilers.get(bundle);
    if (precompiler === undefined) {
      precompiler = createRequire(bundle)(bundle) as Precompiler;
      precompilers.set(bundle, precompiler);
    }
    return precompiler.precompileWorkerEntry(file, {
      ownRuntime: path.join(distDir, "runtime.mjs"),
      build: buildKey(bundle),
    });
  } catch {
    return undefined;
  }
}

/** precompilePoolShim of the build in `distDir`, for a pool module compiled by it. */
export function poolShimIn(distDir: string, compiled: string): string | undefined {
  const precompiler = precompilers.get(path.join(distDir, "workerPrecompile.js"));
  return precompiler?.precompilePoolShim(compiled, path.join(distDir, "poolWorker.js"));
}
