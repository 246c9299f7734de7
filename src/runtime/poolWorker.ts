// The script every Pool worker runs: it loads the pool's module and calls the exported
// functions the pool asks for, one at a time. It reaches the runtime through the package name
// so that it shares the one runtime instance of this thread with the user's module.
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import { processArgs, revive } from "threadlens";
import type { PoolReply, PoolRequest } from "./poolProtocol.ts";
import { SENDABLE_HOOK } from "../protocol/primitiveWire.ts";
import { POOL_MODULE_KEY } from "./moduleHooks.ts";

type Exports = Record<string, unknown>;

interface Port {
  on(event: "message", listener: (request: PoolRequest) => void): void;
  postMessage(reply: PoolReply): void;
}

/** A worker thread's port to its pool, or a worker process's IPC channel (Pool processes). */
function poolPort(): { port: Port; modulePath: string } {
  if (!isMainThread && parentPort !== null)
    return { port: parentPort, modulePath: (workerData as { module: string }).module };
  const send = process.send?.bind(process);
  if (send === undefined)
    throw new Error("poolWorker.js runs in a Pool's worker thread or process");
  // The pool joined (its channel closed): nothing more will come.
  process.on("disconnect", () => process.exit(0));
  return {
    port: {
      on: (event, listener) => process.on(event, listener),
      postMessage: (reply) => send(reply),
    },
    modulePath: processArgs<[string]>()[0],
  };
}

/**
 * A result as it goes to the pool: a worker thread posts it as it is (a primitive keeps its
 * shared memory), a worker process sends its primitives as handles (the pool revives both).
 */
function forPool(value: unknown): unknown {
  if (isMainThread) {
    const toSendable = (globalThis as Record<symbol, unknown>)[SENDABLE_HOOK];
    if (typeof toSendable === "function") return (toSendable as (v: unknown) => unknown)(value);
  }
  return value;
}

/**
 * The pool's module: imported here, unless the worker started on a shim that imported its
 * TypeScript module compiled ahead (precompiledEntry.ts compiledPoolShim) and left it here.
 */
async function loadModule(modulePath: string): Promise<Exports> {
  const globals = globalThis as Record<symbol, unknown>;
  const given = globals[POOL_MODULE_KEY];
  if (given !== undefined) {
    delete globals[POOL_MODULE_KEY];
    return given as Exports;
  }
  return (await import(pathToFileURL(modulePath).href)) as Exports;
}

async function main(): Promise<void> {
  const { port, modulePath } = poolPort();
  const loaded = await loadModule(modulePath);
  const lookup = (fn: string): unknown => {
    if (typeof loaded[fn] === "function") return loaded[fn];
    const fallback = loaded["default"] as Exports | undefined;
    return fallback !== null && typeof fallback === "object" ? fallback[fn] : undefined;
  };
  port.on("message", (request: PoolRequest) => {
    void (async () => {
      let reply: PoolReply;
      try {
        const fn = lookup(request.fn);
        if (typeof fn !== "function")
          throw new TypeError(`${request.fn} is not a function exported by ${modulePath}`);
        const value: unknown = await (fn as (...args: unknown[]) => unknown)(
          ...(revive(request.args) as unknown[]),
        );
        reply = { id: request.id, ok: true, value: forPool(value) };
      } catch (error) {
        const e = error instanceof Error ? error : new Error(String(error));
        reply = {
          id: request.id,
          ok: false,
          error: { name: e.name, message: e.message, stack: e.stack },
        };
      }
      port.postMessage(reply);
    })();
  });
}

void main();
