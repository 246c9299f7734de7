// Pool (Python's multiprocessing.Pool, with worker threads): `size` workers that run exported
// functions of one module. Tasks wait in this thread until a worker is free, so at most `size`
// run at once. Idle workers do not keep the program alive.
import { availableParallelism } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { ArgumentError, PoolTaskError, ThreadStateError } from "./errors.ts";
import { BOOTSTRAP_KEY, currentIdent, type ThreadBootstrap } from "./logicalThread.ts";
import {
  traceCreate,
  traceJoin,
  traceMisuse,
  traceTerminate,
  traceThreadExit,
  traceThreadStart,
} from "./trace.ts";
import { nextObjectId } from "./world.ts";
import { revive } from "./primitive.ts";
import { resolveModulePath } from "./modulePath.ts";
import { compiledPoolShim } from "./precompiledEntry.ts";
import { callerSite, type SourceSite } from "./naming.ts";
import type { PoolReply, PoolRequest } from "./poolProtocol.ts";
import { describe, requireInteger } from "./validate.ts";
import { startPoolProcess, type PoolEndpoint } from "./process/poolProcess.ts";
import {
  enterThreadTable,
  leaveThreadTable,
  nextLogicalThreadId,
  nextThreadNumber,
} from "./world.ts";

export interface PoolOptions {
  /** Number of workers (default: the number of CPUs). */
  readonly size?: number;
  readonly name?: string;
  /** Workers are child processes (each a Process, recorded as such) instead of threads. */
  readonly processes?: boolean;
}

interface Job {
  readonly id: number;
  readonly fn: string;
  readonly args: readonly unknown[];
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

interface PoolWorker {
  readonly worker: PoolEndpoint;
  readonly slot: number;
  readonly name: string;
  readonly ident: number;
  job: Job | undefined;
  exited: Promise<void>;
}

/** The result of applyAsync(): Python's AsyncResult. */
export class AsyncResult<T> {
  readonly #promise: Promise<T>;
  #state: "pending" | "fulfilled" | "rejected" = "pending";

  /** @internal */
  constructor(promise: Promise<T>) {
    this.#promise = promise;
    promise.then(
      () => (this.#state = "fulfilled"),
      () => (this.#state = "rejected"),
    );
  }

  /** Resolves the task's result (rejects with its error). */
  get(): Promise<T> {
    return this.#promise;
  }

  /** Resolves once the task has ended, either way. */
  async wait(): Promise<void> {
    await this.#promise.then(
      () => undefined,
      () => undefined,
    );
  }

  ready(): boolean {
    return this.#state !== "pending";
  }

  successful(): boolean {
    if (this.#state === "pending")
      throw new ThreadStateError("AsyncResult.successful(): the task has not ended");
    return this.#state === "fulfilled";
  }
}

const poolWorkerScript = path.join(__dirname, "poolWorker.js");

export class Pool {
  readonly id = nextObjectId();
  readonly name: string;
  readonly size: number;
  readonly modulePath: string;
  readonly site: SourceSite | undefined;
  /** Whether the workers are child processes. */
  readonly processes: boolean;
  readonly #workers: PoolWorker[] = [];
  readonly #waiting: Job[] = [];
  #nextJob = 1;
  #state: "running" | "closed" | "terminated" = "running";
  #running = 0;
  #idle: (() => void)[] = [];
  #stopping = false;

  constructor(moduleUrlOrPath: string | URL, options: PoolOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new ArgumentError(`new Pool(): options must be an object, got ${describe(options)}`);
    }
    this.site = callerSite();
    this.modulePath = resolveModulePath("new Pool()", moduleUrlOrPath, this.site);
    this.size =
      options.size === undefined
        ? availableParallelism()
        : requireInteger("new Pool()", "size", options.size, 1);
    this.name = options.name ?? "Pool";
    if (options.processes !== undefined && typeof options.processes !== "boolean") {
      throw new ArgumentError(
        `new Pool(): processes must be a boolean, got ${describe(options.processes)}`,
      );
    }
    this.processes = options.processes ?? false;
    traceCreate(this.id, "Pool", this.name, this.size);
    for (let i = 0; i < this.size; i++) this.#workers.push(this.#startWorker());
  }

  #startWorker(): PoolWorker {
    const name = `PoolWorker-${nextThreadNumber()}`;
    const entry: PoolWorker = {
      worker: undefined as unknown as PoolEndpoint,
      slot: -1,
      name,
      ident: 0,
      job: undefined,
      exited: Promise.resolve(),
    };
    let exit: () => void = () => undefined;
    entry.exited = new Promise((resolve) => {
      exit = () => {
        leaveThreadTable(entry.slot);
        // The pool reaps its workers: their end is waited for, which is a join.
        traceJoin("join-begin", entry.ident, false);
        traceJoin("join-end", entry.ident, true);
        const job = entry.job;
        entry.job = undefined;
        if (job !== undefined) {
          this.#running--;
          job.reject(new ThreadStateError(`${name} ended before finishing ${job.fn}()`));
        }
        resolve();
        if (this.#stopping) return;
        // A worker that died mid-task is replaced, as in Python's Pool.
        this.#workers[this.#workers.indexOf(entry)] = this.#startWorker();
        this.#dispatch();
      };
    });
    const events = {
      onReply: (reply: PoolReply) => this.#onReply(entry, reply),
      onExit: () => exit(),
    };
    const mutable = entry as { worker: PoolEndpoint; slot: number; ident: number };
    if (this.processes) {
      mutable.worker = startPoolProcess(this.modulePath, name, events);
      mutable.ident = mutable.worker.ident;
    } else {
      mutable.ident = nextLogicalThreadId();
      mutable.slot = enterThreadTable(entry.ident, "worker", name, false);
      mutable.worker = this.#startThread(name, entry.ident, entry.slot, events);
    }
    return entry;
  }

  #startThread(
    name: string,
    ident: number,
    slot: number,
    events: { onReply: (reply: PoolReply) => void; onExit: () => void },
  ): PoolEndpoint {
    const bootstrap: ThreadBootstrap = {
      ident,
      parent: currentIdent(),
      name,
      daemon: false,
      slot,
      args: [],
    };
    // A TypeScript module compiled ahead: the worker starts without the module hooks.
    const worker = new Worker(compiledPoolShim(this.modulePath) ?? poolWorkerScript, {
      workerData: { [BOOTSTRAP_KEY]: bootstrap, module: this.modulePath },
    });
    worker.unref();
    traceThreadStart(ident, name, "worker", false);
    const exited = new Promise<void>((resolve) =>
      worker.once("exit", (code: number) => {
        // A worker ended by terminate() runs no exit handler of its own: the pool records it.
        traceThreadExit(ident, code);
        resolve();
      }),
    );
    void exited.then(events.onExit);
    worker.on("error", (error: unknown) => {
      const text = error instanceof Error ? (error.stack ?? String(error)) : String(error);
      process.stderr.write(`Exception in thread ${name}:\n${text}\n`);
    });
    worker.on("message", events.onReply);
    // An idle worker thread has nothing to finish: ending it is terminating it.
    const stop = async (): Promise<void> => {
      traceTerminate(ident);
      await worker.terminate();
      await exited;
    };
    return {
      ident,
      post: (request) => worker.postMessage(request),
      ref: () => worker.ref(),
      unref: () => worker.unref(),
      terminate: stop,
      end: stop,
    };
  }

  #onReply(entry: PoolWorker, reply: PoolReply): void {
    const job = entry.job;
    if (job === undefined || job.id !== reply.id) return;
    entry.job = undefined;
    entry.worker.unref();
    this.#running--;
    // Primitives in a result come back as the primitives (a worker process's as handles).
    if (reply.ok) job.resolve(revive(reply.value));
    else {
      const error = new PoolTaskError(
        `${job.fn}() failed in ${entry.name}: ${reply.error.message}`,
        {
          cause: Object.assign(new Error(reply.error.message), {
            name: reply.error.name,
            stack: reply.error.stack,
          }),
        },
      );
      job.reject(error);
    }
    this.#dispatch();
  }

  #dispatch(): void {
    for (const entry of this.#workers) {
      if (this.#waiting.length === 0) break;
      if (entry.job !== undefined) continue;
      const job = this.#waiting.shift();
      if (job === undefined) break;
      entry.job = job;
      this.#running++;
      entry.worker.ref();
      const request: PoolRequest = { id: job.id, fn: job.fn, args: job.args };
      entry.worker.post(request);
    }
    if (this.#running === 0 && this.#waiting.length === 0) {
      for (const notify of this.#idle.splice(0)) notify();
    }
  }

  #submit(api: string, fn: unknown, args: unknown): Promise<unknown> {
    if (this.#state !== "running") {
      return Promise.reject(new ThreadStateError(`Pool.${api}(): the pool is ${this.#state}`));
    }
    if (typeof fn !== "string" || fn.length === 0) {
      return Promise.reject(
        new ArgumentError(
          `Pool.${api}(): expected the name of an exported function, got ${describe(fn)}`,
        ),
      );
    }
    if (!Array.isArray(args)) {
      return Promise.reject(
        new ArgumentError(`Pool.${api}(): args must be an array, got ${describe(args)}`),
      );
    }
    return new Promise((resolve, reject) => {
      this.#waiting.push({ id: this.#nextJob++, fn, args, resolve, reject });
      this.#dispatch();
    });
  }

  /** Runs `fnName(...args)` in a worker; resolves its result. */
  apply<R = unknown>(fnName: string, args: readonly unknown[] = []): Promise<R> {
    return this.#submit("apply", fnName, args) as Promise<R>;
  }

  /** Like apply(), returning an AsyncResult; `callback` gets the result, `errorCallback` the error. */
  applyAsync<R = unknown>(
    fnName: string,
    args: readonly unknown[] = [],
    callback?: (result: R) => void,
    errorCallback?: (error: unknown) => void,
  ): AsyncResult<R> {
    const promise = this.#submit("applyAsync", fnName, args) as Promise<R>;
    // The error reaches get() and errorCallback; it is not also an unhandled rejection.
    promise.then(callback, errorCallback ?? (() => undefined));
    return new AsyncResult(promise);
  }

  /** Runs `fnName(item)` for every item, at most `size` at once; resolves the results in order. */
  map<R = unknown>(fnName: string, items: Iterable<unknown>): Promise<R[]> {
    return Promise.all([...items].map((item) => this.#submit("map", fnName, [item]))) as Promise<
      R[]
    >;
  }

  /** No more tasks may be submitted; those submitted still run. */
  close(): void {
    if (this.#state === "running") this.#state = "closed";
  }

  /** Stops the workers now; tasks not finished reject. */
  async terminate(): Promise<void> {
    this.#state = "terminated";
    this.#stopping = true;
    for (const job of this.#waiting.splice(0))
      job.reject(new ThreadStateError(`${this.name} was terminated`));
    await this.#endWorkers(false);
    for (const notify of this.#idle.splice(0)) notify();
  }

  /** Ends every worker and waits for it (the exit handler records the join). */
  async #endWorkers(idle: boolean): Promise<void> {
    await Promise.all(
      this.#workers.map(async (w) => {
        await (idle ? w.worker.end() : w.worker.terminate());
        await w.exited;
      }),
    );
  }

  /** Waits for every task to finish and the workers to end; only after close() or terminate(). */
  async join(): Promise<void> {
    if (this.#state === "running") {
      traceMisuse("pool-misuse", this.id);
      throw new ThreadStateError("Pool.join() called before close(): the pool is still running");
    }
    if (this.#running > 0 || this.#waiting.length > 0) {
      await new Promise<void>((resolve) => this.#idle.push(resolve));
    }
    this.#stopping = true;
    await this.#endWorkers(true);
  }
}
