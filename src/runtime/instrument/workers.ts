// worker_threads.Worker, recorded without any change to the program (DESIGN 3.2): its start
// (named from options.name, else the module file), its exit with the exit code (terminate()
// included: a terminated worker runs no exit handler of its own, so the parent records it),
// and joins.
//
// The join rule. A Worker has no join(); a parent waits for a worker's end by listening for
// its 'exit' event (`await once(worker, 'exit')`, or an on/once('exit') listener that settles
// a promise the parent awaits). A listener alone does not mean the parent waits: it may go on
// working. So the parent counts as joining the workers whose 'exit' it listens for while, and
// only while, its own event loop has nothing else to do (no timer, socket, file operation or
// other active resource: getActiveResourcesInfo() lists none, and live workers are not
// listed there). That is checked every JOIN_CHECK_MS: join-begin when the loop turns idle,
// join-end with "not ended" when it has work again (retracting the join), join-end with
// "ended" at the exit. The join's site is where the parent started listening (the line of
// `once(worker, 'exit')`), captured once per worker when it does. A plain worker's end is always reaped by Node, so every exit counts as
// joined (the unjoined-thread finding is for threadlens' Thread, whose join() must be called).
// A plain worker still alive when its parent thread ends (one the program unref()'d, or one
// that process.exit() ends) ends with it, on purpose, as Node does: it is recorded as joined
// by the parent at its exit (DESIGN 5.6: not an unjoined thread).
//
// Under a controlled schedule (DESIGN 8.1) a worker's start is a scheduling point of its parent,
// and the worker takes part in the schedule from then on (its slot released at its exit); the
// parent's first listening for a worker's 'exit' is a join point, after which the parent is
// parked for the scheduler (lower threads need not wait for it) until it has work again.
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
import { captureSite, emitPrecise } from "../recording.ts";
import { traceJoin, traceThreadStart } from "../trace.ts";
import { loopIsIdle } from "./loopWatch.ts";
import { addressTablesFor } from "./sharedAddresses.ts";
import { markUnobservedShared } from "./unobserved.ts";
import { nextLogicalThreadId } from "../world.ts";
import { WORKER_ENTRY_KEY, workerEntry } from "../moduleHooks.ts";
import { INTERNAL_WORKER_MARK, RECORDER_WORKER_MARK } from "../../protocol/recorderWire.ts";
import {
  pointSync,
  scheduleOn,
  scheduledParkIdent,
  scheduledThreadEnded,
  scheduledThreadStarted,
  scheduledUnpark,
} from "../schedule/scheduler.ts";

const JOIN_CHECK_MS = 20;
const ESBUILD_MARK = "esbuildVersion";
const UNINSTRUMENTED_MARKS = [
  ESBUILD_MARK,
  RECORDER_WORKER_MARK,
  BOOTSTRAP_KEY,
  INTERNAL_WORKER_MARK,
];
const EXIT_LISTENER_METHODS = [
  "on",
  "once",
  "addListener",
  "prependListener",
  "prependOnceListener",
] as const;

interface Joinable {
  readonly ident: number;
  readonly name: string;
  /** The logical thread that listens for its 'exit' (0 until one does). */
  joiner: number;
  /** Its scheduler slot while parked joining (scheduled runs), else -1. */
  parked: number;
  exited: boolean;
  /** The parent listens for its 'exit'. */
  awaited: boolean;
  /** A join-begin is in force. */
  joining: boolean;
  /** Where the parent started listening for its 'exit' (0 until it does). */
  site: number;
}

const awaitedWorkers = new Set<Joinable>();
/** This thread's plain workers not exited yet: they end with it. */
const liveWorkers = new Set<Joinable>();
let checker: ReturnType<typeof setInterval> | undefined;

function checkJoins(): void {
  const idle = loopIsIdle();
  for (const w of awaitedWorkers) {
    if (idle && !w.joining) traceJoin("join-begin", w.ident, false, w.site);
    else if (!idle && w.joining) traceJoin("join-end", w.ident, false);
    w.joining = idle;
    if (scheduleOn) scheduledJoin(w, idle);
  }
}

/** Scheduled runs: the joiner is parked while its loop only waits for the exit. */
function scheduledJoin(w: Joinable, waiting: boolean): void {
  if (waiting && w.parked < 0) w.parked = scheduledParkIdent(w.joiner);
  else if (!waiting && w.parked >= 0) {
    scheduledUnpark(w.parked);
    w.parked = -1;
  }
}

function awaitExit(w: Joinable): void {
  if (w.awaited || w.exited) return;
  w.awaited = true;
  w.site = captureSite();
  w.joiner = currentIdent();
  awaitedWorkers.add(w);
  if (scheduleOn) {
    pointSync("join", { name: w.name }, "Worker");
    w.parked = scheduledParkIdent(w.joiner);
  }
  if (checker === undefined) {
    // Unref'd: the workers keep the process alive, this timer must not.
    checker = setInterval(checkJoins, JOIN_CHECK_MS);
    checker.unref();
  }
}

function exited(w: Joinable, code: number): void {
  w.exited = true;
  if (scheduleOn) {
    scheduledJoin(w, false);
    // Its own exit handler left the schedule already, unless it was terminated.
    scheduledThreadEnded(w.ident);
  }
  liveWorkers.delete(w);
  awaitedWorkers.delete(w);
  if (awaitedWorkers.size === 0 && checker !== undefined) {
    clearInterval(checker);
    checker = undefined;
  }
  emitPrecise("thread-exit", w.ident, code, 0, false);
  traceJoin("join-end", w.ident, true);
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
    constructor(filename: string | URL, options?: WorkerOptions) {
      // The worker's preload decides by its entry whether it needs the module hooks.
      const entry = workerEntry(filename, options?.eval === true);
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
      const name = workerName(filename, options);
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
        super(filename, options);
      } catch (error) {
        if (scheduleOn) scheduledThreadEnded(bootstrap.ident);
        throw error;
      } finally {
        setEnvironmentData(PLAIN_WORKER_KEY, undefined);
        setEnvironmentData(WORKER_ENTRY_KEY, undefined);
      }
      traceThreadStart(bootstrap.ident, name, "worker", false);
      const joinable: Joinable = {
        ident: bootstrap.ident,
        name,
        joiner: 0,
        parked: -1,
        exited: false,
        awaited: false,
        joining: false,
        site: 0,
      };
      joinables.set(this, joinable);
      liveWorkers.add(joinable);
      internal = true;
      try {
        super.once("exit", (code: number) => exited(joinable, code));
      } finally {
        internal = false;
      }
    }
  }
  for (const method of EXIT_LISTENER_METHODS) {
    const original = Base.prototype[method] as (...args: unknown[]) => unknown;
    Object.defineProperty(Worker.prototype, method, {
      configurable: true,
      writable: true,
      value: function (this: WorkerType, event: string | symbol, ...rest: unknown[]): unknown {
        if (event === "exit" && !internal) {
          const joinable = joinables.get(this);
          if (joinable !== undefined) awaitExit(joinable);
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
