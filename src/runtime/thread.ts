// Thread (Python's threading.Thread, with a module in place of a target function): runs a
// module in a worker thread that is a logical thread of its own, named, joinable, optionally
// a daemon. In the worker, threadArgs() returns the args, with primitives revived.
import { Worker } from "node:worker_threads";
import { ArgumentError, ThreadStateError } from "./errors.ts";
import {
  BOOTSTRAP_KEY,
  currentIdent,
  threadBootstrapArgs,
  type ThreadBootstrap,
} from "./logicalThread.ts";
import { traceJoin, traceTerminate, traceThreadExit, traceThreadStart } from "./trace.ts";
import { holdLoop, releaseLoop } from "./parking.ts";
import { resolveModulePath } from "./modulePath.ts";
import { callerSite, type SourceSite } from "./naming.ts";
import { revive } from "./primitive.ts";
import {
  pointAsync,
  pointSync,
  scheduleOn,
  scheduledThreadEnded,
  scheduledThreadStarted,
} from "./schedule/scheduler.ts";
import { deadlineOf, describe, optionalName, remaining, type TimeoutOptions } from "./validate.ts";
import {
  enterThreadTable,
  leaveThreadTable,
  nextLogicalThreadId,
  nextThreadNumber,
} from "./world.ts";

export interface ThreadOptions {
  readonly name?: string;
  /** Values handed to the thread (structured-cloned; primitives stay the same primitives). */
  readonly args?: readonly unknown[];
  /** A daemon thread does not keep the program alive and ends with it. */
  readonly daemon?: boolean;
}

export class Thread {
  readonly name: string;
  readonly daemon: boolean;
  readonly modulePath: string;
  readonly site: SourceSite | undefined;
  #args: readonly unknown[];
  #worker: Worker | undefined;
  #ident: number | undefined;
  #exitCode: number | undefined;
  #alive = false;
  #exited: Promise<void> | undefined;

  constructor(moduleUrlOrPath: string | URL, options: ThreadOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new ArgumentError(`new Thread(): options must be an object, got ${describe(options)}`);
    }
    this.site = callerSite();
    this.modulePath = resolveModulePath("new Thread()", moduleUrlOrPath, this.site);
    this.name = optionalName("new Thread()", options.name) ?? `Thread-${nextThreadNumber()}`;
    if (options.args !== undefined && !Array.isArray(options.args)) {
      throw new ArgumentError(`new Thread(): args must be an array, got ${describe(options.args)}`);
    }
    if (options.daemon !== undefined && typeof options.daemon !== "boolean") {
      throw new ArgumentError(
        `new Thread(): daemon must be a boolean, got ${describe(options.daemon)}`,
      );
    }
    this.#args = options.args ?? [];
    this.daemon = options.daemon ?? false;
  }

  /** The logical thread id, once started. */
  get ident(): number | undefined {
    return this.#ident;
  }

  /** The worker's exit code, once it has ended. */
  get exitCode(): number | undefined {
    return this.#exitCode;
  }

  /** Node's threadId of the worker, once started. */
  get threadId(): number | undefined {
    return this.#worker?.threadId;
  }

  isAlive(): boolean {
    return this.#alive;
  }

  start(): this {
    if (this.#worker !== undefined)
      throw new ThreadStateError(`thread ${this.name} can only be started once`);
    if (scheduleOn) pointSync("start", this, "Thread");
    const ident = nextLogicalThreadId();
    const slot = enterThreadTable(ident, "worker", this.name, this.daemon);
    const bootstrap: ThreadBootstrap = {
      ident,
      parent: currentIdent(),
      name: this.name,
      daemon: this.daemon,
      slot,
      args: this.#args,
    };
    let worker: Worker;
    if (scheduleOn) scheduledThreadStarted(ident, ident, this.name);
    try {
      worker = new Worker(this.modulePath, { workerData: { [BOOTSTRAP_KEY]: bootstrap } });
    } catch (error) {
      leaveThreadTable(slot);
      if (scheduleOn) scheduledThreadEnded(ident);
      throw error;
    }
    this.#worker = worker;
    this.#ident = ident;
    traceThreadStart(ident, this.name, "worker", this.daemon);
    this.#alive = true;
    if (this.daemon) worker.unref();
    worker.on("error", (error: unknown) => {
      // As Python prints an exception that ends a thread: the program goes on.
      const text = error instanceof Error ? (error.stack ?? String(error)) : String(error);
      process.stderr.write(`Exception in thread ${this.name}:\n${text}\n`);
    });
    this.#exited = new Promise((resolve) => {
      worker.once("exit", (code: number) => {
        // A terminated thread runs no exit handler of its own: its parent records its end.
        traceThreadExit(ident, code);
        this.#exitCode = code;
        this.#alive = false;
        leaveThreadTable(slot);
        if (scheduleOn) scheduledThreadEnded(ident);
        resolve();
      });
    });
    return this;
  }

  /** Resolves true once the thread has ended, false if `timeout` ms pass first. */
  async join(options?: TimeoutOptions): Promise<boolean> {
    const deadline = deadlineOf(`${this.name}.join`, options);
    const exited = this.#exited;
    if (exited === undefined)
      throw new ThreadStateError(`cannot join thread ${this.name} before it is started`);
    if (scheduleOn) await pointAsync("join", this, "Thread");
    const joined = this.#ident ?? 0;
    traceJoin("join-begin", joined, deadline !== Infinity);
    if (!this.#alive) {
      traceJoin("join-end", joined, true);
      return true;
    }
    holdLoop();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      if (deadline === Infinity) {
        await exited;
        traceJoin("join-end", joined, true);
        return true;
      }
      const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), remaining(deadline));
      });
      const ended = await Promise.race([exited.then(() => true as const), timedOut]);
      traceJoin("join-end", joined, ended);
      return ended;
    } finally {
      clearTimeout(timer);
      releaseLoop();
    }
  }

  /**
   * Stops the thread now (Node's worker.terminate()); resolves once it has ended. Awaiting its
   * end, the caller joins it (no unjoined-thread).
   */
  async terminate(): Promise<void> {
    const worker = this.#worker;
    if (worker === undefined) return;
    const ident = this.#ident ?? 0;
    if (this.#alive) traceTerminate(ident);
    traceJoin("join-begin", ident, false);
    await worker.terminate();
    await this.#exited;
    traceJoin("join-end", ident, true);
  }

  toString(): string {
    const state = this.#worker === undefined ? "initial" : this.#alive ? "started" : "stopped";
    return `Thread(${this.name}, ${state}${this.daemon ? ", daemon" : ""})`;
  }
}

/** In a Thread's worker: the `args` given to the Thread, with primitives revived. */
export function threadArgs<T extends unknown[] = unknown[]>(): T {
  const args = threadBootstrapArgs();
  return (Array.isArray(args) ? revive(args) : []) as T;
}
