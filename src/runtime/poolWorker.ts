// The script every Pool worker runs: it loads the pool's module and calls the exported
// functions the pool asks for, one at a time. It reaches the runtime through the package name
// so that it shares the one runtime instance of this thread with the user's module.
import { parentPort, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import { revive } from "threadlens";
import type { PoolReply, PoolRequest } from "./poolProtocol.ts";

type Exports = Record<string, unknown>;

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error("poolWorker.js must run in a worker thread");
  const modulePath = (workerData as { module: string }).module;
  const loaded = (await import(pathToFileURL(modulePath).href)) as Exports;
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
        reply = { id: request.id, ok: true, value };
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
