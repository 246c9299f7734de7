// threadlens' own helper threads of the processes feature (the primitive server of an owner
// process, the call helper of a thread that uses another process's primitive). They run the
// runtime without the preload: nothing they do is recorded, they are no logical thread of the
// program (not in enumerate()), and the instrumented Worker leaves them alone (their mark).
import path from "node:path";
import { Worker, isMainThread, workerData, type MessagePort } from "node:worker_threads";
import { INTERNAL_WORKER_MARK } from "../../protocol/recorderWire.ts";

export type InternalRole = "server" | "caller";

/** This thread's role when it is an internal helper; undefined for the program's threads. */
export const internalRole: InternalRole | undefined =
  !isMainThread && workerData !== null && typeof workerData === "object"
    ? ((workerData as Record<string, unknown>)[INTERNAL_WORKER_MARK] as InternalRole | undefined)
    : undefined;

/** Starts a helper running this runtime bundle (dist/runtime.js) in `role`, unref'd. */
export function startInternalWorker(
  role: InternalRole,
  data: Record<string, unknown>,
  transferList: readonly MessagePort[] = [],
): Worker {
  const worker = new Worker(path.join(__dirname, "runtime.js"), {
    execArgv: [],
    workerData: { ...data, [INTERNAL_WORKER_MARK]: role },
    transferList: [...transferList],
    stdout: false,
    stderr: false,
  });
  worker.unref();
  return worker;
}
