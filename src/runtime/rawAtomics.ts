// Atomics.wait/waitAsync/notify as the engine provides them, captured when the runtime loads
// and before instrument/atomics.ts replaces the globals: threadlens' own primitives park on
// shared words too, and those internal waits must not be recorded a second time as raw
// Atomics waits of the program.
export const rawWait: typeof Atomics.wait = Atomics.wait;
export const rawWaitAsync: typeof Atomics.waitAsync = Atomics.waitAsync;
export const rawNotify: typeof Atomics.notify = Atomics.notify;
