// Where the module loaders find the async-mutex instrumentation: register.ts's CommonJS hook
// and the ES module source that loaderHooks.ts appends to async-mutex's index.mjs call the
// functions published under this global symbol while async-mutex loads (the runtime, and so
// this, is loaded by the preload before any program module).
import { instrumentMutex, instrumentSemaphore, instrumentWithTimeout } from "./asyncMutex.ts";

export const ASYNC_MUTEX_HOOK = Symbol.for("threadlens.asyncMutex");

export interface AsyncMutexHook {
  mutex: typeof instrumentMutex;
  semaphore: typeof instrumentSemaphore;
  withTimeout: typeof instrumentWithTimeout;
}

export function instrumentAsyncMutexHook(): void {
  const hook: AsyncMutexHook = {
    mutex: instrumentMutex,
    semaphore: instrumentSemaphore,
    withTimeout: instrumentWithTimeout,
  };
  (globalThis as Record<symbol, unknown>)[ASYNC_MUTEX_HOOK] = hook;
}
