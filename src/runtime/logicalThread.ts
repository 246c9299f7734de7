// Who is running: the logical thread (DESIGN 3.1) of the current code. A worker thread is one
// logical thread; an async task started with spawn() is another, carried by AsyncLocalStorage
// so that its awaits stay attributed to it. Lock ownership and RLock re-entry use these ids.
import { AsyncLocalStorage } from "node:async_hooks";
import {
  getEnvironmentData,
  isMainThread,
  setEnvironmentData,
  workerData,
  threadId,
} from "node:worker_threads";
import {
  enterThreadTable,
  ensureWorld,
  leaveThreadTable,
  nextLogicalThreadId,
  type LogicalThreadKind,
} from "./world.ts";
import { announce, announceRing, emitPrecise, recordingOn } from "./recording.ts";
import type { AddressTableEntry } from "./instrument/sharedAddresses.ts";
import { processBootstrap } from "./process/bootstrap.ts";
import { internalRole } from "./process/internalWorker.ts";

export interface LogicalThread {
  readonly ident: number;
  readonly name: string;
  readonly kind: LogicalThreadKind;
  readonly daemon: boolean;
}

/** What a Thread hands to its worker through workerData. */
export interface ThreadBootstrap {
  readonly ident: number;
  /** Ident of the logical thread that started it. */
  readonly parent: number;
  readonly name: string;
  readonly daemon: boolean;
  readonly slot: number;
  readonly args: unknown;
}

export const BOOTSTRAP_KEY = "__threadlens_thread__";

function readBootstrap(): ThreadBootstrap | undefined {
  if (isMainThread || workerData === null || typeof workerData !== "object") return undefined;
  const value = (workerData as Record<string, unknown>)[BOOTSTRAP_KEY];
  return value !== null && typeof value === "object" ? (value as ThreadBootstrap) : undefined;
}

/** What an instrumented plain `new Worker()` (instrument/workers.ts) hands to its worker. */
export interface PlainWorkerBootstrap {
  readonly ident: number;
  readonly parent: number;
  readonly name: string;
  /** Where workerData holds shared buffers, with their address tables (sharedAddresses.ts). */
  readonly addressTables: readonly AddressTableEntry[];
}

/**
 * Environment data key for PlainWorkerBootstrap: set by the parent only around the Worker
 * constructor (environment data is copied into the worker there), so workerData, which the
 * program reads, stays untouched.
 */
export const PLAIN_WORKER_KEY = "threadlens:plain-worker";

function readPlainBootstrap(): PlainWorkerBootstrap | undefined {
  if (isMainThread) return undefined;
  const value = getEnvironmentData(PLAIN_WORKER_KEY);
  // Not for this thread's own children: they get their own, or none.
  setEnvironmentData(PLAIN_WORKER_KEY, undefined);
  return value !== null && typeof value === "object" ? (value as PlainWorkerBootstrap) : undefined;
}

ensureWorld();
const bootstrap = readBootstrap();
const plain = bootstrap === undefined ? readPlainBootstrap() : undefined;

/** What the parent handed this worker when it was started with a plain `new Worker()`. */
export const plainWorkerBootstrap: PlainWorkerBootstrap | undefined = plain;

function ownThread(): LogicalThread {
  // A Process's child: its main thread is the logical thread named after the process.
  if (isMainThread)
    return {
      ident: nextLogicalThreadId(),
      name: processBootstrap?.name ?? "main",
      kind: "main",
      daemon: processBootstrap?.daemon ?? false,
    };
  if (bootstrap !== undefined) {
    return {
      ident: bootstrap.ident,
      name: bootstrap.name,
      kind: "worker",
      daemon: bootstrap.daemon,
    };
  }
  // A worker started with plain `new Worker(...)`: it still is a logical thread of its own,
  // named and numbered by its parent when the parent is instrumented.
  if (plain !== undefined)
    return { ident: plain.ident, name: plain.name, kind: "worker", daemon: false };
  return {
    ident: nextLogicalThreadId(),
    name: `Worker-${threadId}`,
    kind: "worker",
    daemon: false,
  };
}

/** This OS thread's own logical thread (main or the worker). */
export const threadSelf: LogicalThread = ownThread();
// The parent entered a Thread's worker in the table already (so it is listed from start()).
// threadlens' own helper threads (process/internalWorker.ts) are no thread of the program.
const ownSlot =
  bootstrap !== undefined
    ? bootstrap.slot
    : internalRole !== undefined
      ? -1
      : enterThreadTable(threadSelf.ident, threadSelf.kind, threadSelf.name, threadSelf.daemon);
// A Thread's parent takes it out of the table when it sees the exit; a plain worker leaves itself.
if (!isMainThread && bootstrap === undefined) process.once("exit", () => leaveThreadTable(ownSlot));

// Recording: announce this thread and its ring, and its start and end.
if (recordingOn) {
  const parent = isMainThread ? 0 : (bootstrap?.parent ?? 0);
  announceRing(threadSelf.ident);
  // A Thread's, Pool's or instrumented Worker's parent recorded its start already (in the
  // parent's order).
  if (bootstrap === undefined && plain === undefined) announceSelf(parent);
  process.prependListener("exit", (code) => {
    emitPrecise("thread-exit", threadSelf.ident, code, 0, false);
    for (const hook of afterExitHooks) hook();
  });
}

/**
 * Run right after this thread's thread-exit is recorded, still before the recorder's final
 * flush: for what ends with the thread (instrument/workers.ts). After, not before: an event of
 * the thread before its exit would say its loop ran code again, which a drained loop did not.
 */
const afterExitHooks: Array<() => void> = [];

export function onThreadExitRecorded(hook: () => void): void {
  afterExitHooks.push(hook);
}

function announceSelf(parent: number): void {
  announce({
    type: "thread",
    ident: threadSelf.ident,
    name: threadSelf.name,
    kind: threadSelf.kind,
    parent,
    daemon: threadSelf.daemon,
  });
  emitPrecise("thread-start", threadSelf.ident, parent, 0, false);
}

const taskContext = new AsyncLocalStorage<LogicalThread>();
/**
 * Whether code of this OS thread ever ran as another logical thread (runAs): until then every
 * caller is the OS thread's own, and the hot path skips AsyncLocalStorage's lookup (a quarter
 * of what recording added to an uncontended acquire and release, which ask for it twice).
 */
let othersRan = false;

/** Runs `fn` as logical thread `thread` (a task, a stand-in for another process's caller). */
export function runAs<T>(thread: LogicalThread, fn: () => T): T {
  othersRan = true;
  return taskContext.run(thread, fn);
}

/** The logical thread running now: the spawned task if inside one, else the OS thread. */
export function currentLogicalThread(): LogicalThread {
  return othersRan ? (taskContext.getStore() ?? threadSelf) : threadSelf;
}

/** The id of the logical thread running now (the hot-path variant of currentLogicalThread). */
export function currentIdent(): number {
  if (!othersRan) return threadSelf.ident;
  const task = taskContext.getStore();
  return task === undefined ? threadSelf.ident : task.ident;
}

export function threadBootstrapArgs(): unknown {
  return bootstrap?.args;
}
