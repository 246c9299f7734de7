// Process (Python's multiprocessing.Process, with a module in place of a target function): runs
// a module in a child Node.js process under the same preload (TypeScript loader, recording).
// The child's output passes through; processArgs() in the child returns the args.
import type { ChildProcess } from "node:child_process";
import { childProcess } from "../../protocol/lazyBuiltins.ts";
import { constants } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ENV_PROCESS_LINK, type ProcessLink } from "../../protocol/processLink.ts";
import { ArgumentError, ThreadStateError } from "../errors.ts";
import { currentIdent } from "../logicalThread.ts";
import { traceJoin, traceProcessStart } from "../trace.ts";
import { needRecorder } from "../recording.ts";
import { nextLogicalThreadId } from "../world.ts";
import { countRunChildProcess, holdLoop, releaseLoop } from "../parking.ts";
import { countMessages, watchMessageListeners } from "../instrument/loopWatch.ts";
import { resolveModulePath } from "../modulePath.ts";
import { callerSite, type SourceSite } from "../naming.ts";
import { deadlineOf, describe, optionalName, remaining, type TimeoutOptions } from "../validate.ts";
import { childExecArgv } from "./childArgv.ts";
import { compiledEntry } from "../precompiledEntry.ts";
import { ENV_MAIN_ENTRY } from "../../protocol/recorderControl.ts";
import { findUnsendable, fromSendable, toSendable } from "./sharing.ts";
import {
  ENV_PROCESS_BOOTSTRAP,
  MAX_BOOTSTRAP_CHARS,
  encodeBootstrap,
  processBootstrap,
} from "./bootstrap.ts";

export interface ProcessOptions {
  readonly name?: string;
  /**
   * Values handed to the child (v8-serialized), primitives included (Lock, RLock, RWLock, Condition,
   * Semaphore, BoundedSemaphore, Event, Barrier, Queue, LifoQueue, PriorityQueue, Pipe
   * connections): the child's are the same ones.
   */
  readonly args?: readonly unknown[];
  /** A daemon process does not keep its parent alive and is ended with it. */
  readonly daemon?: boolean;
  /** Extra environment variables of the child (on top of the parent's). */
  readonly env?: Readonly<Record<string, string>>;
}

/** The preload next to this runtime bundle (dist/register.mjs beside dist/runtime.js). */
const preloadUrl = pathToFileURL(path.join(__dirname, "register.mjs")).href;

let processNumber = 0;
const started = new WeakMap<Process, { child: ChildProcess; ident: number }>();
/** Daemon children still running: ended (SIGTERM) when this process exits. */
const liveDaemons = new Set<ChildProcess>();
let exitHookInstalled = false;

function endDaemonsAtExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const child of liveDaemons) child.kill("SIGTERM");
  });
}

export class Process {
  readonly name: string;
  readonly daemon: boolean;
  readonly modulePath: string;
  readonly site: SourceSite | undefined;
  readonly #args: readonly unknown[];
  readonly #env: Readonly<Record<string, string>>;
  #child: ChildProcess | undefined;
  #ident = 0;
  #exitCode: number | undefined;
  #alive = false;
  #exited: Promise<void> | undefined;

  constructor(moduleUrlOrPath: string | URL, options: ProcessOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new ArgumentError(`new Process(): options must be an object, got ${describe(options)}`);
    }
    this.site = callerSite();
    this.modulePath = resolveModulePath("new Process()", moduleUrlOrPath, this.site);
    this.name = optionalName("new Process()", options.name) ?? `Process-${++processNumber}`;
    if (options.args !== undefined && !Array.isArray(options.args)) {
      throw new ArgumentError(
        `new Process(): args must be an array, got ${describe(options.args)}`,
      );
    }
    if (options.daemon !== undefined && typeof options.daemon !== "boolean") {
      throw new ArgumentError(
        `new Process(): daemon must be a boolean, got ${describe(options.daemon)}`,
      );
    }
    if (options.env !== undefined && (options.env === null || typeof options.env !== "object")) {
      throw new ArgumentError(`new Process(): env must be an object, got ${describe(options.env)}`);
    }
    const unsendable = findUnsendable(options.args);
    if (unsendable !== undefined) {
      throw new ArgumentError(
        `new Process(): a ${unsendable} cannot be passed to a process (shared across processes: Lock, RLock, RWLock, Condition, Semaphore, BoundedSemaphore, Event, Barrier, Queue, LifoQueue, PriorityQueue, Pipe connections; other shared memory stays in its process)`,
      );
    }
    this.#args = options.args ?? [];
    this.#env = options.env ?? {};
    this.daemon = options.daemon ?? false;
  }

  /** The child's process id, once started. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /**
   * The child's exit code once it has ended; a child ended by a signal has minus the signal's
   * number (-15 after terminate(), -9 after kill()), as in Python.
   */
  get exitCode(): number | undefined {
    return this.#exitCode;
  }

  isAlive(): boolean {
    return this.#alive;
  }

  start(): this {
    if (this.#child !== undefined)
      throw new ThreadStateError(`process ${this.name} can only be started once`);
    let bootstrap: string;
    try {
      bootstrap = encodeBootstrap({
        name: this.name,
        daemon: this.daemon,
        args: toSendable(this.#args) as unknown[],
        parentPid: process.pid,
      });
    } catch (error) {
      throw new ArgumentError(
        `process ${this.name}: args cannot be sent to a process: ${(error as Error).message}`,
      );
    }
    if (bootstrap.length > MAX_BOOTSTRAP_CHARS) {
      throw new ArgumentError(
        `process ${this.name}: args too large for a process (${bootstrap.length} bytes encoded, at most ${MAX_BOOTSTRAP_CHARS})`,
      );
    }
    // The child's main thread is this logical thread of the run (its recorder says so to the
    // root's, which names its other threads after the process).
    needRecorder(); // the child relays to this process's recorder
    const ident = nextLogicalThreadId();
    const link: ProcessLink = { pid: process.pid, ident, starter: currentIdent(), name: this.name };
    // A TypeScript entry compiled ahead: the child's main thread then needs no module hooks
    // (precompiledEntry.ts); its preload puts the entry's own path back in process.argv[1].
    const compiled = compiledEntry(this.modulePath, undefined);
    const child = childProcess().fork(compiled ?? this.modulePath, [], {
      execArgv: childExecArgv(process.execArgv, preloadUrl),
      env: {
        ...process.env,
        ...this.#env,
        [ENV_PROCESS_BOOTSTRAP]: bootstrap,
        [ENV_PROCESS_LINK]: JSON.stringify(link),
        ...(compiled === undefined ? {} : { [ENV_MAIN_ENTRY]: this.modulePath }),
      },
      stdio: ["inherit", "inherit", "inherit", "ipc"],
      serialization: "advanced",
    });
    this.#child = child;
    this.#ident = ident;
    started.set(this, { child, ident });
    if (child.pid !== undefined) traceProcessStart(ident, this.name, this.daemon, child.pid);
    this.#alive = true;
    countRunChildProcess(1);
    countMessages(child);
    watchMessageListeners(child);
    if (this.daemon) {
      child.unref();
      child.channel?.unref();
      liveDaemons.add(child);
      endDaemonsAtExit();
    }
    this.#exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.#exitCode = code ?? -(signal === null ? 0 : constants.signals[signal]);
        this.#alive = false;
        countRunChildProcess(-1);
        liveDaemons.delete(child);
        resolve();
      });
    });
    child.once("error", (error) => {
      process.stderr.write(`Exception in process ${this.name}:\n${error.stack ?? error}\n`);
    });
    return this;
  }

  /** Resolves true once the process has exited, false if `timeout` ms pass first. */
  async join(options?: TimeoutOptions): Promise<boolean> {
    const deadline = deadlineOf(`${this.name}.join`, options);
    const exited = this.#exited;
    if (exited === undefined)
      throw new ThreadStateError(`cannot join process ${this.name} before it is started`);
    traceJoin("join-begin", this.#ident, deadline !== Infinity);
    if (!this.#alive) {
      traceJoin("join-end", this.#ident, true);
      return true;
    }
    holdLoop();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      if (deadline === Infinity) {
        await exited;
        traceJoin("join-end", this.#ident, true);
        return true;
      }
      const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), remaining(deadline));
      });
      const ended = await Promise.race([exited.then(() => true as const), timedOut]);
      traceJoin("join-end", this.#ident, ended);
      return ended;
    } finally {
      clearTimeout(timer);
      releaseLoop();
    }
  }

  /** Asks the process to end (SIGTERM). */
  terminate(): void {
    this.#signal("terminate", "SIGTERM");
  }

  /** Ends the process at once (SIGKILL). */
  kill(): void {
    this.#signal("kill", "SIGKILL");
  }

  #signal(api: string, signal: NodeJS.Signals): void {
    if (this.#child === undefined)
      throw new ThreadStateError(`cannot ${api} process ${this.name} before it is started`);
    if (this.#alive) this.#child.kill(signal);
  }

  toString(): string {
    const state = this.#child === undefined ? "initial" : this.#alive ? "started" : "stopped";
    return `Process(${this.name}, ${state}${this.daemon ? ", daemon" : ""})`;
  }
}

/** The child process of a started Process and its logical thread (for Pool's processes). */
export function childOf(p: Process): { child: ChildProcess; ident: number } | undefined {
  return started.get(p);
}

let revivedArgs: unknown[] | undefined;

/**
 * In a Process's child: the `args` given to the Process ([] in any other process), primitives
 * restored to the same primitives (operated on by the process that created them).
 */
export function processArgs<T extends unknown[] = unknown[]>(): T {
  revivedArgs ??= fromSendable([...(processBootstrap?.args ?? [])]) as unknown[];
  return [...revivedArgs] as T;
}
