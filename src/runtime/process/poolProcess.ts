// A Pool's worker as a child process (`new Pool(module, { processes: true })`, DESIGN 3.3): a
// Process running the pool worker script (poolWorker.ts), which loads the pool's module and
// answers the same requests as a worker thread does, over the child's IPC channel. Primitives
// in a task's args reach it as in a Process's args (sharing.ts).
import path from "node:path";
import type { PoolReply, PoolRequest } from "../poolProtocol.ts";
import { Process, childOf } from "./process.ts";
import { toSendable } from "./sharing.ts";
import { compiledPoolShim } from "../precompiledEntry.ts";

/** What a Pool needs of one of its workers, thread or process. */
export interface PoolEndpoint {
  /** The worker's logical thread (a process: its main thread). */
  readonly ident: number;
  post(request: PoolRequest): void;
  /** Keeps the program alive while it runs a task (ref), or not while it is idle (unref). */
  ref(): void;
  unref(): void;
  /** Ends it now; resolves once it has ended. */
  terminate(): Promise<void>;
  /** Ends it once idle (the pool is joined); resolves once it has ended. */
  end(): Promise<void>;
}

export interface PoolEndpointEvents {
  readonly onReply: (reply: PoolReply) => void;
  readonly onExit: () => void;
}

const poolWorkerScript = path.join(__dirname, "poolWorker.js");

/** Starts a worker process named `name` for the pool of `modulePath`. */
export function startPoolProcess(
  modulePath: string,
  name: string,
  events: PoolEndpointEvents,
): PoolEndpoint {
  // A TypeScript module compiled ahead: the process starts without the module hooks.
  const script = compiledPoolShim(modulePath) ?? poolWorkerScript;
  const p = new Process(script, { name, args: [modulePath] }).start();
  const started = childOf(p);
  if (started === undefined) throw new Error(`${name}: the pool worker process did not start`);
  const { child, ident } = started;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.on("message", (reply: PoolReply) => events.onReply(reply));
  void exited.then(events.onExit);
  const unref = (): void => {
    child.unref();
    child.channel?.unref();
  };
  unref();
  return {
    ident,
    post: (request) => child.send({ ...request, args: toSendable(request.args) }),
    ref: () => {
      child.ref();
      child.channel?.ref();
    },
    unref,
    // Waited for: the program lives on until the worker has ended.
    terminate: async () => {
      child.ref();
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
    // Its channel closed, the worker process exits by itself (poolWorker.ts).
    end: async () => {
      child.ref();
      if (child.connected) child.disconnect();
      await exited;
    },
  };
}
