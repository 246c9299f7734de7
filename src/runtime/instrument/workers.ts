// worker_threads.Worker, recorded without any change to the program (DESIGN 3.2): its start
// (named from options.name, else the module file), its exit with the exit code (terminate()
// included: a terminated worker runs no exit handler of its own, so the parent records it),
// and joins.
//
// The join rule (exitJoins.ts): the parent joins the workers whose 'exit' it listens for while
// its own event loop has nothing else to do. A plain worker's end is always reaped by Node, so every exit counts as
// joined (the unjoined-thread finding is for threadlens' Thread, whose join() must be called).
// A plain worker still alive when its parent thread ends (one the program unref()'d, or one
// that process.exit() ends) ends with it, on purpose, as Node does: it is recorded as joined
// by the parent at its exit (DESIGN 5.6: not an unjoined thread).
//
// Under a controlled schedule (DESIGN 8.1) a worker's start is a scheduling point of its parent,
// and the worker takes part in the schedule from then on (its slot released at its exit); the
// parent's first listening for its 'exit' is a join point (exitJoins.ts).
//
// Not instrumented: threadlens' own workers (Thread, Pool, the recorder thread) and esbuild's
// internal service worker, recognised by their workerData marks.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire, syncBuiltinESMExports } from "node:module";
import type { Worker as WorkerType, WorkerOptions } from "node:worker_threads";
import {
  BOOTSTRAP_KEY,
  PLAIN_WORKER_KEY,
  currentIdent,
  onThreadExitRecorded,
  threadSelf,
  type PlainWorkerBootstrap,
} from "../logicalThread.ts";
import { emitPrecise, needRecorder } from "../recording.ts";
import { traceTerminate, traceThreadExit, traceThreadStart } from "../trace.ts";
import {
  EXIT_LISTENER_METHODS,
  awaitExit,
  exitJoined,
  joinable,
  type Joinable,
} from "./exitJoins.ts";
import { addressTablesFor } from "./sharedAddresses.ts";
import { forgetPlainWorker, watchPlainWorker } from "./loopWatch.ts";
import { markUnobservedShared } from "./unobserved.ts";
import { nextLogicalThreadId } from "../world.ts";
import {
  WORKER_ENTRY_KEY,
  needsModuleHooks,
  workerEntry,
  type WorkerEntry,
} from "../moduleHooks.ts";
import { workerExecArgv } from "../process/childArgv.ts";
import { compiledEntry } from "../precompiledEntry.ts";
import { INTERNAL_WORKER_MARK, RECORDER_WORKER_MARK } from "../../protocol/recorderWire.ts";
import {
  pointSync,
  scheduleOn,
  scheduledThreadEnded,
  scheduledThreadStarted,
} from "../schedule/scheduler.ts";

const ESBUILD_MARK = "esbuildVersion";
const UNINSTRUMENTED_MARKS = [
  ESBUILD_MARK,
  RECORDER_WORKER_MARK,
  BOOTSTRAP_KEY,
  INTERNAL_WORKER_MARK,
];
/** This thread's plain workers not exited yet: they end with it. */
const liveWorkers = new Set<Joinable>();

function exited(w: Joinable, code: number): void {
  liveWorkers.delete(w);
  // Its own exit handler left the schedule already, unless it was terminated.
  if (scheduleOn) scheduledThreadEnded(w.ident);
  traceThreadExit(w.ident, code);
  exitJoined(w);
}

const hooksByEntry = new Map<string | undefined, boolean>();

/** moduleHooks.ts needsModuleHooks, once per entry file (a pool starts many of one). */
function entryNeedsHooks(file: string | undefined): boolean {
  let needs = hooksByEntry.get(file);
  if (needs === undefined) hooksByEntry.set(file, (needs = needsModuleHooks(file)));
  return needs;
}

/** The preload's CommonJS build beside this runtime (scripts/build.mjs). */
const cjsPreload = path.join(__dirname, "register.cjs");

/**
 * A worker that would inherit this thread's Node options gets the preload through --require
 * (process/childArgv.ts workerExecArgv): about 5 ms less of every worker's start. Only when its
 * entry needs no module hooks: a TypeScript entry, say, must go through the ES module loader,
 * which an --import preload puts every entry through.
 */
function withCommonJsPreload(
  options: WorkerOptions | undefined,
  entry: WorkerEntry,
): WorkerOptions | undefined {
  if (options?.execArgv !== undefined || entryNeedsHooks(entry.file)) return options;
  const execArgv = workerExecArgv(process.execArgv, cjsPreload);
  return execArgv === undefined ? options : { ...options, execArgv };
}

function hasMark(options: WorkerOptions | undefined, marks: readonly string[]): boolean {
  const data: unknown = options?.workerData;
  if (data === null || typeof data !== "object") return false;
  return marks.some((mark) => mark in data);
}

/** esbuild's service worker runs without the preload: what it is sent, it waits on unseen. */
function watchUnobserved(worker: WorkerType, options: WorkerOptions | undefined): void {
  markUnobservedShared(options?.workerData);
  const post = worker.postMessage.bind(worker);
  worker.postMessage = (message: unknown, transfer?: Parameters<WorkerType["postMessage"]>[1]) => {
    markUnobservedShared(message);
    post(message, transfer);
  };
}

function workerName(filename: string | URL, options: WorkerOptions | undefined): string {
  if (typeof options?.name === "string" && options.name !== "") return options.name;
  if (options?.eval === true) return "worker";
  const file =
    filename instanceof URL || String(filename).startsWith("file:")
      ? fileURLToPath(filename)
      : String(filename);
  return path.basename(file);
}

type WorkerCtor = typeof WorkerType;

function instrumentedWorkerClass(Base: WorkerCtor): WorkerCtor {
  const setEnvironmentData = (
    createRequire(__filename)("node:worker_threads") as typeof import("node:worker_threads")
  ).setEnvironmentData;
  const joinables = new WeakMap<object, Joinable>();
  let internal = false;
  class Worker extends Base {
    constructor(given: string | URL, options?: WorkerOptions) {
      // A TypeScript entry compiled ahead starts without the module hooks (precompiledEntry.ts):
      // a Thread's or a plain worker's, not threadlens' own others.
      const programs = hasMark(options, [BOOTSTRAP_KEY]) || !hasMark(options, UNINSTRUMENTED_MARKS);
      const givenEntry = workerEntry(given, options?.eval === true);
      const compiled = programs ? compiledEntry(givenEntry.file, options) : undefined;
      const filename = compiled ?? given;
      // The worker's preload decides by its entry whether it needs the module hooks.
      const entry = compiled === undefined ? givenEntry : workerEntry(compiled, false);
      // Its preload waits for the recorder thread, which the main thread may not have started.
      if (!hasMark(options, [ESBUILD_MARK])) needRecorder();
      if (hasMark(options, UNINSTRUMENTED_MARKS)) {
        setEnvironmentData(WORKER_ENTRY_KEY, entry);
        try {
          super(filename, options);
        } finally {
          setEnvironmentData(WORKER_ENTRY_KEY, undefined);
        }
        if (hasMark(options, [ESBUILD_MARK])) watchUnobserved(this, options);
        return;
      }
      const name = workerName(given, options);
      if (scheduleOn) pointSync("start", { name }, "Worker");
      const bootstrap: PlainWorkerBootstrap = {
        ident: nextLogicalThreadId(),
        parent: currentIdent(),
        name,
        addressTables: addressTablesFor(options?.workerData),
      };
      setEnvironmentData(PLAIN_WORKER_KEY, bootstrap);
      setEnvironmentData(WORKER_ENTRY_KEY, entry);
      // In the schedule before it runs: a thread of higher priority still starting is waited for.
      if (scheduleOn) scheduledThreadStarted(bootstrap.ident, bootstrap.ident, name);
      try {
        try {
          super(filename, withCommonJsPreload(options, entry));
        } catch (error) {
          // Options that are the process's (--expose-gc) are refused once given explicitly.
          if ((error as { code?: string }).code !== "ERR_WORKER_INVALID_EXEC_ARGV") throw error;
          super(filename, options);
        }
      } catch (error) {
        if (scheduleOn) scheduledThreadEnded(bootstrap.ident);
        throw error;
      } finally {
        setEnvironmentData(PLAIN_WORKER_KEY, undefined);
        setEnvironmentData(WORKER_ENTRY_KEY, undefined);
      }
      traceThreadStart(bootstrap.ident, name, "worker", false);
      const joined = joinable(bootstrap.ident, name);
      joinables.set(this, joined);
      liveWorkers.add(joined);
      watchPlainWorker(this);
      internal = true;
      try {
        super.once("exit", (code: number) => {
          forgetPlainWorker(this);
          exited(joined, code);
        });
      } finally {
        internal = false;
      }
    }

    override terminate(): Promise<number> {
      const joined = joinables.get(this);
      if (joined !== undefined && liveWorkers.has(joined)) traceTerminate(joined.ident);
      return super.terminate();
    }
  }
  for (const method of EXIT_LISTENER_METHODS) {
    const original = Base.prototype[method] as (...args: unknown[]) => unknown;
    Object.defineProperty(Worker.prototype, method, {
      configurable: true,
      writable: true,
      value: function (this: WorkerType, event: string | symbol, ...rest: unknown[]): unknown {
        if (event === "exit" && !internal) {
          const joined = joinables.get(this);
          if (joined !== undefined) awaitExit(joined);
        }
        return original.call(this, event, ...rest);
      },
    });
  }
  return Worker;
}

/** The thread ends: Node ends its live plain workers with it and reaps them. */
function endWithThread(): void {
  // By the thread itself, not the task (or branch) that may be running process.exit().
  for (const w of liveWorkers) emitPrecise("join-end", threadSelf.ident, w.ident, 0, true);
  liveWorkers.clear();
}

/** Replaces worker_threads.Worker (CommonJS and ES module views) in this thread. */
export function instrumentWorkers(): void {
  onThreadExitRecorded(endWithThread);
  const require = createRequire(__filename);
  const workerThreads = require("node:worker_threads") as { Worker: WorkerCtor };
  workerThreads.Worker = instrumentedWorkerClass(workerThreads.Worker);
  syncBuiltinESMExports();
}
