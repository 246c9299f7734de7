// spawn(): a named async task that is a logical thread of its own (the analog of a coroutine),
// so locks it takes are owned by it and not by the code that spawned it.
import { currentIdent, runAs, threadSelf, type LogicalThread } from "./logicalThread.ts";
import { optionalName } from "./validate.ts";
import {
  enterThreadTable,
  leaveThreadTable,
  nextLogicalThreadId,
  nextTaskNumber,
} from "./world.ts";
import { ArgumentError } from "./errors.ts";
import { emitPrecise, recordingOn } from "./recording.ts";
import {
  pointAsync,
  pointSync,
  scheduleOn,
  scheduledThreadEnded,
  scheduledThreadStarted,
} from "./schedule/scheduler.ts";
import { traceJoin, traceThreadStart } from "./trace.ts";
import { describe } from "./validate.ts";

export interface SpawnOptions {
  readonly name?: string;
}

export class Task<T = unknown> {
  readonly ident: number;
  readonly name: string;
  /** The logical thread that spawned this task. */
  readonly parent: number;
  readonly #result: Promise<T>;
  #done = false;
  #joined = false;

  /** @internal use spawn() */
  constructor(fn: () => T | Promise<T>, name: string) {
    this.ident = nextLogicalThreadId();
    this.name = name;
    this.parent = currentIdent();
    const self: LogicalThread = { ident: this.ident, name, kind: "task", daemon: false };
    const slot = enterThreadTable(this.ident, "task", name, false);
    traceThreadStart(this.ident, name, "task", false);
    if (scheduleOn) scheduledThreadStarted(this.ident, threadSelf.ident, name);
    this.#result = runAs(self, async () => {
      try {
        return await fn();
      } finally {
        this.#done = true;
        leaveThreadTable(slot);
        if (scheduleOn) scheduledThreadEnded(this.ident);
        if (recordingOn) emitPrecise("thread-exit", this.ident, 0, 0, false);
      }
    });
    // A failure nobody has joined yet is printed (as Python prints an exception that ends a thread)
    // instead of crashing the program as an unhandled rejection.
    this.#result.catch((error: unknown) => {
      if (this.#joined) return;
      const text = error instanceof Error ? (error.stack ?? String(error)) : String(error);
      process.stderr.write(`Exception in task ${name}:\n${text}\n`);
    });
  }

  /** Resolves the task's result, or rejects with its error. */
  join(): Promise<T> {
    if (scheduleOn) return pointAsync("join", this, "Task").then(() => this.#join());
    return this.#join();
  }

  #join(): Promise<T> {
    this.#joined = true;
    traceJoin("join-begin", this.ident, false);
    const ended = (): void => traceJoin("join-end", this.ident, true);
    this.#result.then(ended, ended);
    return this.#result;
  }

  isAlive(): boolean {
    return !this.#done;
  }

  toString(): string {
    return `Task(${this.name}${this.#done ? ", done" : ""})`;
  }
}

/** Starts `fn` as a new logical thread (async task) in this thread. */
export function spawn<T>(fn: () => T | Promise<T>, options?: SpawnOptions): Task<T> {
  if (typeof fn !== "function")
    throw new ArgumentError(`spawn(): expected a function, got ${describe(fn)}`);
  const name = optionalName("spawn()", options?.name) ?? `Task-${nextTaskNumber()}`;
  if (scheduleOn) pointSync("spawn", { name }, "Task");
  return new Task(fn, name);
}
