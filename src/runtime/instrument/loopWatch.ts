// Whether this thread's event loop waits for nothing but messages, told to the recorder so the
// hang analysis can count the thread as quiet (DESIGN 5.1). A worker idle on `parentPort` while
// main blocks in Atomics.wait is the shape this is for: the worker could only be woken by a
// message, and main, blocked, runs no event loop to send one (a Worker created before the wait
// does start and run on Node 20; what waits on main's loop is its message handlers, timers and
// anything else scheduled there).
//
// A check every IDLE_CHECK_MS while the loop is idle (backing off to BUSY_CHECK_MAX_MS while
// it is not), on an unref'd timer (it keeps no loop alive, and runs only while something else
// does): idle when every active resource is a stdio pipe or the worker's parentPort, which the
// program listens on (live workers and unref'd timers are not listed), then it writes a beat,
// the coarse clock, into the thread's ring header; otherwise 0. A thread busy running code cannot
// beat, so the recorder (ringReader.ts) takes a beat older than a few checks as "busy": a
// message that arrives and starts long work makes the thread busy within that time, well
// inside the hang analysis' stability window.
import { isMainThread, parentPort, type Worker } from "node:worker_threads";
import type { Readable } from "node:stream";
import { captureSite, countMessage, writeIdleBeat, writeMessageSite } from "../recording.ts";
import { runChildProcessCount } from "../parking.ts";

const IDLE_CHECK_MS = 20;

/** The methods that add a listener to an EventEmitter ('exit' joins, 'message' sites). */
export const EXIT_LISTENER_METHODS = [
  "on",
  "once",
  "addListener",
  "prependListener",
  "prependOnceListener",
] as const;

/** Resources that cannot end a wait by themselves (as in parking.ts). */
const PASSIVE = new Set(["PipeWrap", "TTYWrap", "MessagePort", "CloseReq", "FSEventWrap"]);
/**
 * For the beat, stricter. A listed MessagePort is also what a thread waits on while its
 * modules load through the loader hooks thread, which is work: only as many ports count as
 * passive as the program listens on parentPort (0 or 1), so other ports (loading, a
 * MessageChannel the program listens on) keep the thread busy. A file watcher can be woken
 * from outside. Stdio pipes stay passive (the CLI pipes stdout), so a thread reading stdin
 * counts as idle: a documented limit.
 */
const PASSIVE_FOR_BEAT = new Set(["PipeWrap", "TTYWrap", "CloseReq"]);

/**
 * Nothing but passive resources: the loop has nothing of its own left to wait for. A child
 * process of the run (parking.ts) is watched by the recorder like this process's own threads,
 * so its handle is no busier than a message port.
 */
export function loopIsIdle(): boolean {
  let children = runChildProcessCount();
  for (const resource of process.getActiveResourcesInfo()) {
    if (resource === "ProcessWrap" && children > 0) children--;
    else if (!PASSIVE.has(resource)) return false;
  }
  return true;
}

/** The program's `process.stdin`, once it has asked for it (see watchStdin). */
let stdin: Readable | undefined;

/**
 * A program that reads its standard input waits for its user, who can always answer: its
 * loop is not idle. Node creates `process.stdin` on first access, so the getter is wrapped to
 * learn of that access without making the stream itself.
 */
function watchStdin(): void {
  const descriptor = Object.getOwnPropertyDescriptor(process, "stdin");
  const get = descriptor?.get;
  if (descriptor === undefined || get === undefined || descriptor.configurable !== true) return;
  Object.defineProperty(process, "stdin", {
    ...descriptor,
    get(this: NodeJS.Process): Readable {
      stdin = get.call(this) as Readable;
      return stdin;
    },
  });
}

function readsStdin(): boolean {
  if (stdin === undefined || stdin.readableEnded || stdin.destroyed) return false;
  return (
    stdin.readableFlowing === true ||
    stdin.listenerCount("data") > 0 ||
    stdin.listenerCount("readable") > 0
  );
}

/** Live plain Workers this thread started, and whether the program left them ref'd. */
const plainWorkers = new Map<Worker, { refed: boolean }>();

/**
 * A plain Worker this thread started: the messages it sends this thread and this thread sends
 * it are counted, and while it is ref'd and listened to, its port (which Node then lists) is
 * one this thread waits on for messages.
 */
export function watchPlainWorker(worker: Worker): void {
  const state = { refed: true };
  plainWorkers.set(worker, state);
  watchMessageListeners(worker);
  countMessages(worker);
  countSends(worker);
  beforeEachCall(worker, "ref", () => (state.refed = true));
  beforeEachCall(worker, "unref", () => (state.refed = false));
}

/** The Worker has exited: its port is closed. */
export function forgetPlainWorker(worker: Worker): void {
  plainWorkers.delete(worker);
}

/** Ports Node lists for this thread's Workers: one per ref'd Worker with a 'message' listener. */
function listenedWorkerPorts(): number {
  let ports = 0;
  for (const [worker, { refed }] of plainWorkers) {
    if (refed && worker.listenerCount("message") > 0) ports++;
  }
  return ports;
}

/** Counts what the program posts through `target` (a Worker, parentPort) as talk. */
function countSends(target: object): void {
  beforeEachCall(target, "postMessage", countMessage);
}

/** Has every call of `target`'s method `name` run `before` with its arguments first. */
function beforeEachCall(
  target: object,
  name: string,
  before: (args: readonly unknown[]) => void,
): void {
  const original: unknown = (target as Record<string, unknown>)[name];
  if (typeof original !== "function") return;
  Object.defineProperty(target, name, {
    configurable: true,
    writable: true,
    value: function (this: unknown, ...args: unknown[]): unknown {
      before(args);
      return (original as (...rest: unknown[]) => unknown).apply(this, args);
    },
  });
}

function waitsForMessagesOnly(): boolean {
  if (readsStdin()) return false;
  let ports =
    (parentPort !== null && parentPort.listenerCount("message") > 0 ? 1 : 0) +
    listenedWorkerPorts();
  let children = runChildProcessCount();
  for (const resource of process.getActiveResourcesInfo()) {
    if (resource === "MessagePort" && ports > 0) ports--;
    else if (resource === "ProcessWrap" && children > 0) children--;
    else if (!PASSIVE_FOR_BEAT.has(resource)) return false;
  }
  return true;
}

/**
 * Where this thread waits for messages: the site of the latest 'message' listener it added
 * on `emitter` (its parent process's IPC channel, its parentPort, a child process of the run),
 * given with its idle beat so that a hang shows where an idle thread listens.
 */
export function watchMessageListeners(emitter: object): void {
  for (const method of EXIT_LISTENER_METHODS) {
    beforeEachCall(emitter, method, ([event]) => {
      if (event === "message") writeMessageSite(captureSite());
    });
  }
}

/**
 * Counts the messages `emitter` (this process's IPC channel, a child process of the run) gives
 * the program's listeners: Node delivers them through the emitter's own `emit`.
 */
export function countMessages(emitter: NodeJS.EventEmitter): void {
  beforeEachCall(emitter, "emit", ([event]) => {
    if (event === "message") countMessage();
  });
}

/**
 * The longest time between two checks while the loop has other work (a message, a reply of the
 * loader hooks thread, I/O): how late a loop that has just gone idle is seen so. Checks back
 * off to it while the loop stays busy, so that hundreds of threads loading their modules do not
 * each wake 50 times a second (issue 12); an idle loop beats every IDLE_CHECK_MS.
 */
const BUSY_CHECK_MAX_MS = 80;

// Taken at load, before the program runs: fake timers that replace the global later must not
// stop the watch.
const timeout = setTimeout;

export function watchLoop(): void {
  if (isMainThread) watchStdin();
  if (typeof process.send === "function") {
    watchMessageListeners(process);
    countMessages(process);
  }
  if (parentPort !== null) {
    watchMessageListeners(parentPort);
    // Messages a worker receives on parentPort are dispatched inside Node, out of reach: what
    // it and its parent send each other is counted instead, at both ends.
    countSends(parentPort);
  }
  let delay = IDLE_CHECK_MS;
  const check = (): void => {
    const idle = waitsForMessagesOnly();
    writeIdleBeat(idle);
    delay = idle ? IDLE_CHECK_MS : Math.min(delay * 2, BUSY_CHECK_MAX_MS);
    timeout(check, delay).unref();
  };
  timeout(check, delay).unref();
}
