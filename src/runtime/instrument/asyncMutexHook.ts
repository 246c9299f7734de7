// Where the module loaders find the async-mutex instrumentation: register.ts's CommonJS hook
// and the ES module source that loaderHooks.ts appends to async-mutex's index.mjs call the
// functions published under this global symbol while async-mutex loads (the runtime, and so
// this, is loaded by the preload before any program module); without the hooks, the preload's
// ES module build has index.mjs instrumented in place (`module`).
import { instrumentMutex, instrumentSemaphore, instrumentWithTimeout } from "./asyncMutex.ts";
import { instrumentAsyncMutexModule } from "./asyncMutexModule.ts";
import { asyncMutexSourcePatchable } from "./asyncMutexShape.ts";

export const ASYNC_MUTEX_HOOK = Symbol.for("threadlens.asyncMutex");

export interface AsyncMutexHook {
  mutex: typeof instrumentMutex;
  semaphore: typeof instrumentSemaphore;
  withTimeout: typeof instrumentWithTimeout;
  patchable: typeof asyncMutexSourcePatchable;
  module: typeof instrumentAsyncMutexModule;
}

export function instrumentAsyncMutexHook(): void {
  const hook: AsyncMutexHook = {
    mutex: instrumentMutex,
    semaphore: instrumentSemaphore,
    withTimeout: instrumentWithTimeout,
    patchable: asyncMutexSourcePatchable,
    module: instrumentAsyncMutexModule,
  };
  (globalThis as Record<symbol, unknown>)[ASYNC_MUTEX_HOOK] = hook;
}
