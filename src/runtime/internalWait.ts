// Waits of threadlens' own that the program must not see as its own: the preload's
// synchronous esbuild compile and its late start of the module hooks (register.ts) block the
// thread in Atomics.wait for a thread that is not the program's and is not recorded; recorded,
// such a wait looked like main hanging alone whenever it took longer than the hang window (a
// loaded machine). instrument/atomics.ts leaves waits made while the flag is set alone.

/** The flag (on globalThis): set while threadlens itself waits. */
export const INTERNAL_WAIT = Symbol.for("threadlens.internalWait");

/** Runs `body` with INTERNAL_WAIT set (and puts back what it was). */
export function internally<T>(body: () => T): T {
  const flags = globalThis as Record<symbol, unknown>;
  const before = flags[INTERNAL_WAIT];
  flags[INTERNAL_WAIT] = true;
  try {
    return body();
  } finally {
    flags[INTERNAL_WAIT] = before;
  }
}
