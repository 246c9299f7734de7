// The program's own entry compiled ahead, for a supervisor's run (`threadlens run`, explore,
// the debug adapter: supervise.ts). A TypeScript ES module entry otherwise makes the program's
// main thread register the module hooks, which on Node 20 start a thread of their own and wait
// for it (about 45 ms of CPU time of every run). The preload's precompiler
// (dist/workerPrecompile.js, what a worker's TypeScript entry gets: runtime/workerPrecompile.ts)
// writes the entry's graph of TypeScript modules as JavaScript modules; the program starts on
// the compiled entry, and the preload puts the entry's own path back in process.argv[1]
// (ENV_MAIN_ENTRY) before any of the program's code runs. Only with no Node options of the
// program's that load other code or change resolution (runtimeArgs, NODE_OPTIONS): then the
// program starts on its entry, as before, and so does it whenever the precompiler declines.
import { createRequire } from "node:module";
import path from "node:path";
import { buildKey } from "../protocol/codeCache.ts";
import { isTypeScriptFile } from "../protocol/typeScriptFiles.ts";

interface Precompiler {
  precompileWorkerEntry(
    entry: string,
    settings: { readonly ownRuntime: string; readonly build: string },
  ): string | undefined;
}

/** Node options that load other code before the program or change how imports resolve. */
const LOADERS_OR_RESOLUTION =
  /^(?:--import|--require|-r|--loader|--experimental-loader|-C|--conditions|--input-type|--experimental-default-type|--no-addons|--preserve-symlinks(?:-main)?)(?:=|$)/;

function plainOptions(args: readonly string[]): boolean {
  return !args.some((arg) => LOADERS_OR_RESOLUTION.test(arg));
}

/**
 * The compiled entry (a path) to start the program on instead of `file`, or undefined to
 * start it on `file` itself.
 */
export function compiledProgramEntry(
  file: string,
  distDir: string,
  runtimeArgs: readonly string[],
  env: NodeJS.ProcessEnv,
): string | undefined {
  if (!isTypeScriptFile(file) || env["THREADLENS_WORKER_PRECOMPILE"] === "0") return undefined;
  const nodeOptions = (env["NODE_OPTIONS"] ?? "").split(/\s+/).filter((o) => o !== "");
  if (!plainOptions(runtimeArgs) || !plainOptions(nodeOptions)) return undefined;
  const bundle = path.join(distDir, "workerPrecompile.js");
  try {
    const precompiler = createRequire(__filename)(bundle) as Precompiler;
    return precompiler.precompileWorkerEntry(file, {
      ownRuntime: path.join(distDir, "runtime.mjs"),
      build: buildKey(bundle),
    });
  } catch {
    return undefined;
  }
}
