// child_process.fork of code that never imports threadlens (DESIGN 3.3): a child that runs
// under the preload (it inherits the parent's execArgv, as fork does unless told otherwise) is
// a process of the run. Like a threadlens Process, the parent gives its main thread a logical
// thread of its own and tells the child (ENV_PROCESS_LINK), and records its start; its name is
// its module's file name (a second fork of the same module `<name>-2`), a cluster worker's
// `cluster-worker-<id>` (cluster's primary forks through here, with NODE_UNIQUE_ID = the id).
// The parent's listening for its 'exit' or 'close' is a join (exitJoins.ts), ended at the exit.
// A child that does not load the preload (other execArgv) is forked as it is, not recorded.
import path from "node:path";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { fileURLToPath } from "node:url";
import type { ChildProcess, ForkOptions } from "node:child_process";
import { ENV_PROCESS_LINK, type ProcessLink } from "../../protocol/processLink.ts";
import { currentIdent } from "../logicalThread.ts";
import { countRunChildProcess } from "../parking.ts";
import { traceProcessStart } from "../trace.ts";
import { nextLogicalThreadId } from "../world.ts";
import { hasPreload } from "../process/childArgv.ts";
import { ENV_PROCESS_BOOTSTRAP } from "../process/env.ts";
import { EXIT_LISTENER_METHODS, awaitExit, exitJoined, joinable } from "./exitJoins.ts";

type Fork = (modulePath: string | URL, args?: unknown, options?: unknown) => ChildProcess;

/** Forks of each module file so far: the second is `<name>-2`. */
const forksOf = new Map<string, number>();

function childName(modulePath: string | URL, env: NodeJS.ProcessEnv): string {
  const clusterId = env["NODE_UNIQUE_ID"];
  if (clusterId !== undefined && clusterId !== "") return `cluster-worker-${clusterId}`;
  const file =
    modulePath instanceof URL || String(modulePath).startsWith("file:")
      ? fileURLToPath(modulePath)
      : String(modulePath);
  const base = path.basename(file).replace(/\.[cm]?[jt]sx?$/, "");
  const seen = (forksOf.get(base) ?? 0) + 1;
  forksOf.set(base, seen);
  return seen === 1 ? base : `${base}-${seen}`;
}

/** fork(modulePath, args?, options?): the options, wherever they are. */
function optionsOf(args: unknown, options: unknown): ForkOptions | undefined {
  const found = Array.isArray(args) ? options : args;
  return found !== null && typeof found === "object" ? (found as ForkOptions) : undefined;
}

/** Whether the child will load the preload: from its execArgv, or its NODE_OPTIONS. */
function runsUnderPreload(options: ForkOptions | undefined, env: NodeJS.ProcessEnv): boolean {
  if (hasPreload(options?.execArgv ?? process.execArgv)) return true;
  return hasPreload((env["NODE_OPTIONS"] ?? "").split(/\s+/));
}

function recordedFork(original: Fork): Fork {
  return function fork(modulePath, args, options) {
    const given = optionsOf(args, options);
    const env = given?.env ?? process.env;
    // A threadlens Process (process.ts) links its child itself.
    if (
      env[ENV_PROCESS_LINK] !== undefined ||
      env[ENV_PROCESS_BOOTSTRAP] !== undefined ||
      !runsUnderPreload(given, env)
    ) {
      return original(modulePath, args, options);
    }
    const ident = nextLogicalThreadId();
    const name = childName(modulePath, env);
    const link: ProcessLink = { pid: process.pid, ident, starter: currentIdent(), name };
    const linked: ForkOptions = {
      ...given,
      env: { ...env, [ENV_PROCESS_LINK]: JSON.stringify(link) },
    };
    const child = Array.isArray(args)
      ? original(modulePath, args, linked)
      : original(modulePath, linked);
    if (child.pid === undefined) return child; // it could not start ('error' says why)
    traceProcessStart(ident, name, false, child.pid);
    countRunChildProcess(1);
    const joined = joinable(ident);
    child.once("exit", () => {
      countRunChildProcess(-1);
      exitJoined(joined);
    });
    for (const method of EXIT_LISTENER_METHODS) {
      const listen = child[method] as (...rest: unknown[]) => unknown;
      Object.defineProperty(child, method, {
        configurable: true,
        writable: true,
        value: function (this: ChildProcess, event: string | symbol, ...rest: unknown[]): unknown {
          if (event === "exit" || event === "close") awaitExit(joined);
          return listen.call(this, event, ...rest);
        },
      });
    }
    return child;
  } as Fork;
}

/** Replaces child_process.fork (CommonJS and ES module views) in this thread. */
export function instrumentChildProcesses(): void {
  const require = createRequire(__filename);
  const childProcess = require("node:child_process") as { fork: Fork };
  childProcess.fork = recordedFork(childProcess.fork);
  syncBuiltinESMExports();
}
