// Child processes of code that never imports threadlens (DESIGN 3.3). A Node.js child that runs
// under the preload is a process of the run: child_process.fork inherits the parent's execArgv
// (and with it the preload) as fork does unless told otherwise, and spawn/execFile (and their
// Sync forms) of `process.execPath` get the parent's preload option put in front of their
// arguments (a test runner's workers, a build script's node steps). Like a threadlens Process,
// the parent gives the child's main thread a logical thread of its own and tells the child
// (ENV_PROCESS_LINK), so that it relays to the run's recorder instead of reporting on its own;
// its name is its module's file name (`<name>-2` for a second child of it; `node` for code run
// with -e), a cluster worker's `cluster-worker-<id>` (cluster's primary forks through here,
// with NODE_UNIQUE_ID = the id). The parent's listening for its 'exit' or 'close' is a join
// (exitJoins.ts), ended at the exit.
//
// Opting out (ENV_CHILD_PRELOAD = "0" in the child's environment, which a program inherits
// from threadlens' own: `THREADLENS_CHILD_PRELOAD=0 threadlens run app.ts`, the launch
// configuration's `env`): the child runs as Node would run it without threadlens (a fork
// without the preload in the execArgv it inherits, a spawn without it added), unrecorded. A
// child given other Node options without the preload runs unrecorded too, as it asked.
import path from "node:path";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import type { ChildProcess, ForkOptions, SpawnOptions } from "node:child_process";
import { ENV_PROCESS_LINK, type ProcessLink } from "../../protocol/processLink.ts";
import { ENV_PROGRAM } from "../../protocol/recorderControl.ts";
import { currentIdent } from "../logicalThread.ts";
import { countRunChildProcess } from "../parking.ts";
import { countMessages, watchMessageListeners } from "./loopWatch.ts";
import { traceProcessStart } from "../trace.ts";
import { needRecorder } from "../recording.ts";
import { nextLogicalThreadId } from "../world.ts";
import { hasPreload, withoutPreload } from "../process/childArgv.ts";
import { CHILD_PROCESSES_NOW_KEY, LAZY_CHILD_PROCESSES_KEY } from "../moduleHooks.ts";
import { ENV_PROCESS_BOOTSTRAP } from "../process/env.ts";
import { EXIT_LISTENER_METHODS, awaitExit, exitJoined, joinable } from "./exitJoins.ts";

/** "0" in a child's environment: it runs without the preload (and unrecorded). */
export const ENV_CHILD_PRELOAD = "THREADLENS_CHILD_PRELOAD";

type Starter = (file: string | URL, args?: unknown, options?: unknown, more?: unknown) => unknown;

/** Children of each module file so far: the second is `<name>-2`. */
const childrenOf = new Map<string, number>();

function numbered(base: string): string {
  const seen = (childrenOf.get(base) ?? 0) + 1;
  childrenOf.set(base, seen);
  return seen === 1 ? base : `${base}-${seen}`;
}

function moduleName(modulePath: string | URL): string {
  const file =
    modulePath instanceof URL || String(modulePath).startsWith("file:")
      ? fileURLToPath(modulePath)
      : String(modulePath);
  return numbered(path.basename(file).replace(/\.[cm]?[jt]sx?$/, ""));
}

/** Node options that take the next argument as their value. */
const WITH_VALUE = new Set([
  "--import",
  "-r",
  "--require",
  "--loader",
  "--experimental-loader",
  "-C",
  "--conditions",
  "--input-type",
  "--env-file",
  "--title",
]);

/** A node command line's script, if it runs one (not code given with -e/-p, not stdin). */
function scriptOf(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (/^(?:-[ep]|--eval|--print)(?:=|$)/.test(arg)) return undefined;
    if (WITH_VALUE.has(arg)) i++;
    else if (!arg.startsWith("-")) return arg;
  }
  return undefined;
}

/** A spawned node's name: its script's, or `node` for code given with -e/-p or none. */
function spawnedName(args: readonly string[]): string {
  const script = scriptOf(args);
  return script === undefined ? numbered("node") : moduleName(script);
}

/** (file, args?, options?, ...): the args and options, wherever they are. */
function split(
  args: unknown,
  options: unknown,
): { list: string[] | undefined; given: object | undefined } {
  const list = Array.isArray(args) ? (args as string[]) : undefined;
  const found = list === undefined ? args : options;
  return { list, given: found !== null && typeof found === "object" ? found : undefined };
}

/** The environment the child gets. */
function envOf(given: object | undefined): NodeJS.ProcessEnv {
  return (given as { env?: NodeJS.ProcessEnv } | undefined)?.env ?? process.env;
}

/**
 * Children that are not this run's to record: a threadlens Process's (process.ts links its child
 * itself), and the program a threadlens supervisor (`threadlens run`, the debug adapter, which
 * a program may start) starts as a run of its own.
 */
function leftAlone(env: NodeJS.ProcessEnv): boolean {
  return (
    env[ENV_PROCESS_LINK] !== undefined ||
    env[ENV_PROCESS_BOOTSTRAP] !== undefined ||
    env[ENV_PROGRAM] !== undefined
  );
}

/** threadlens' own command line tools and adapter (dist/): not the program's code. */
const distDir = __dirname;

function isOwnTool(argv: readonly string[]): boolean {
  const script = scriptOf(argv);
  return script !== undefined && path.resolve(script).startsWith(distDir + path.sep);
}

function optedOut(env: NodeJS.ProcessEnv): boolean {
  return env[ENV_CHILD_PRELOAD] === "0";
}

/**
 * The preload option for a spawned node, when this process runs under the preload: the file
 * beside this runtime, as a URL (the parent's own option may be relative to its start folder).
 */
function preloadArgs(): string[] {
  if (!hasPreload(process.execArgv)) return [];
  return ["--import", pathToFileURL(path.join(distDir, "register.mjs")).href];
}

function viaNodeOptions(env: NodeJS.ProcessEnv): boolean {
  return hasPreload((env["NODE_OPTIONS"] ?? "").split(/\s+/));
}

/** The child's link, in its environment (undefined: not a process of the run). */
function linked(
  env: NodeJS.ProcessEnv,
  name: string,
  selfAnnounced = false,
): { ident: number; env: NodeJS.ProcessEnv } {
  // The child relays to this process's recorder (it retries until that listens).
  needRecorder();
  const ident = nextLogicalThreadId();
  const link: ProcessLink = {
    pid: process.pid,
    ident,
    starter: currentIdent(),
    name,
    ...(selfAnnounced ? { selfAnnounced } : {}),
  };
  return { ident, env: { ...env, [ENV_PROCESS_LINK]: JSON.stringify(link) } };
}

/** The started child is a process of the run: its start, its end, and waits for it (joins). */
function watch(child: ChildProcess, ident: number, name: string, awaited: boolean): void {
  if (child.pid === undefined) return; // it could not start ('error' says why)
  traceProcessStart(ident, name, false, child.pid);
  countRunChildProcess(1);
  countMessages(child);
  watchMessageListeners(child);
  const joined = joinable(ident);
  child.once("exit", () => {
    countRunChildProcess(-1);
    exitJoined(joined);
  });
  // execFile listens for the end itself, to call back (or settle its promise) with the output.
  if (awaited) awaitExit(joined);
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
}

function recordedFork(original: Starter): Starter {
  return function fork(modulePath, args, options) {
    const { list, given } = split(args, options);
    const env = envOf(given);
    const execArgv = (given as ForkOptions | undefined)?.execArgv;
    if (leftAlone(env)) return original(modulePath, args, options);
    if (optedOut(env)) {
      // The execArgv it would inherit, without the preload.
      const plain = { ...given, execArgv: execArgv ?? withoutPreload(process.execArgv) };
      return list === undefined ? original(modulePath, plain) : original(modulePath, list, plain);
    }
    if (!hasPreload(execArgv ?? process.execArgv) && !viaNodeOptions(env))
      return original(modulePath, args, options);
    const clusterId = env["NODE_UNIQUE_ID"];
    const name =
      clusterId !== undefined && clusterId !== ""
        ? `cluster-worker-${clusterId}`
        : moduleName(modulePath);
    const link = linked(env, name);
    const withLink: ForkOptions = { ...given, env: link.env };
    const child = (
      list === undefined ? original(modulePath, withLink) : original(modulePath, list, withLink)
    ) as ChildProcess;
    watch(child, link.ident, name, false);
    return child;
  };
}

/** spawn/execFile (`sync`: their Sync forms) of process.execPath: with the preload. */
function recordedSpawn(original: Starter, kind: "spawn" | "execFile" | "sync"): Starter {
  return function spawnNode(file, args, options, more) {
    if (String(file) !== process.execPath) return original(file, args, options, more);
    const { list, given } = split(args, options);
    const env = envOf(given);
    const argv = list ?? [];
    if (leftAlone(env) || optedOut(env) || isOwnTool(argv))
      return original(file, args, options, more);
    // A node started with the preload explicitly (or through NODE_OPTIONS) is left as it was
    // (its own run, as before); one that would run without it gets it, as a process of this run.
    if (hasPreload(argv) || viaNodeOptions(env)) return original(file, args, options, more);
    const preload = preloadArgs();
    if (preload.length === 0) return original(file, args, options, more);
    const name = spawnedName(argv);
    // A Sync child's pid is known only once it has ended: it announces itself.
    const link = linked(env, name, kind === "sync");
    const withLink: SpawnOptions = { ...given, env: link.env };
    const full = [...preload, ...argv];
    // execFile(file, args?, options?, callback): the callback goes last, after the options.
    const callback = [args, options, more].find((f) => typeof f === "function");
    const child =
      callback === undefined
        ? original(file, full, withLink)
        : original(file, full, withLink, callback);
    if (kind !== "sync") watch(child as ChildProcess, link.ident, name, kind === "execFile");
    return child;
  };
}

/**
 * util.promisify(execFile) as Node's own: `{ stdout, stderr }`, or the error with them, and the
 * promise's `child` (Node's custom form calls its own execFile, which would bypass this one).
 */
function promisifiedExecFile(execFile: Starter): (...args: unknown[]) => Promise<unknown> {
  return (...args) => {
    let child: unknown;
    const promise = new Promise((resolve, reject) => {
      const done = (error: Error | null, stdout: unknown, stderr: unknown): void => {
        if (error === null) resolve({ stdout, stderr });
        else reject(Object.assign(error, { stdout, stderr }));
      };
      child = (execFile as (...a: unknown[]) => unknown)(...args, done);
    });
    return Object.assign(promise, { child });
  };
}

/** What loads node:child_process, or takes its fork at its own load (cluster's primary). */
const LOADS_CHILD_PROCESS = new Set([
  "child_process",
  "node:child_process",
  "cluster",
  "node:cluster",
]);

function loadedAlready(): boolean {
  const list = (process as { moduleLoadList?: string[] }).moduleLoadList;
  return (
    list === undefined ||
    list.includes("NativeModule child_process") ||
    list.includes("NativeModule cluster")
  );
}

/**
 * Instruments node:child_process now, or (the preload says the thread may:
 * moduleHooks.ts LAZY_CHILD_PROCESSES_KEY) when the program first requires it or node:cluster.
 */
export function instrumentChildProcesses(): void {
  const globals = globalThis as Record<symbol, unknown>;
  globals[CHILD_PROCESSES_NOW_KEY] = instrumentNow;
  if (globals[LAZY_CHILD_PROCESSES_KEY] !== true || loadedAlready()) {
    instrumentNow();
    return;
  }
  type Load = (this: unknown, request: string, ...rest: unknown[]) => unknown;
  const modules = createRequire(__filename)("node:module") as { _load: Load };
  const load = modules._load;
  modules._load = function (request: string, ...rest: unknown[]): unknown {
    if (!instrumented && LOADS_CHILD_PROCESS.has(request)) instrumentNow();
    return load.call(this, request, ...rest);
  };
}

let instrumented = false;

/** Replaces fork, spawn, execFile and their Sync forms (CommonJS and ES module views). */
function instrumentNow(): void {
  if (instrumented) return;
  instrumented = true;
  const require = createRequire(__filename);
  const cp = require("node:child_process") as Record<string, Starter>;
  const original = (name: string): Starter => cp[name] as Starter;
  cp["fork"] = recordedFork(original("fork"));
  cp["spawn"] = recordedSpawn(original("spawn"), "spawn");
  const execFile = recordedSpawn(original("execFile"), "execFile");
  Object.defineProperty(execFile, promisify.custom, { value: promisifiedExecFile(execFile) });
  cp["execFile"] = execFile;
  cp["spawnSync"] = recordedSpawn(original("spawnSync"), "sync");
  cp["execFileSync"] = recordedSpawn(original("execFileSync"), "sync");
  syncBuiltinESMExports();
}
