// The program's own entry compiled ahead, for a supervisor's run (`threadlens run`, explore,
// the debug adapter: supervise.ts). A TypeScript ES module entry otherwise makes the program's
// main thread register the module hooks, which on Node 20 start a thread of their own and wait
// for it (about 45 ms of CPU time of every run). The preload's precompiler
// (protocol/precompiler.ts: what a worker's TypeScript entry gets) writes the entry's graph of
// TypeScript modules as JavaScript modules; the program starts on the compiled entry, and the
// preload puts the entry's own path back in process.argv[1] (ENV_MAIN_ENTRY) before any of the
// program's code runs. Only with no Node options of the program's that load other code or
// change resolution (runtimeArgs, NODE_OPTIONS): then the program starts on its entry, as
// before, and so does it whenever the precompiler declines.
import {
  LOADER_OPTION,
  RESOLUTION_OPTION,
  nodeOptionsOf,
  precompiledEntryIn,
} from "../protocol/precompiler.ts";
import { isTypeScriptFile } from "../protocol/typeScriptFiles.ts";

function plainOptions(args: readonly string[]): boolean {
  return !args.some((arg) => LOADER_OPTION.test(arg) || RESOLUTION_OPTION.test(arg));
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
  if (!plainOptions(runtimeArgs) || !plainOptions(nodeOptionsOf(env))) return undefined;
  return precompiledEntryIn(distDir, file);
}
