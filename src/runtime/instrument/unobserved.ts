// Shared memory handed to a thread that runs without the preload (esbuild's service worker,
// which the preload's own TypeScript transform and tsx's require hook both block on through
// esbuild's transformSync). That thread's notifies are never recorded, so a wait on such memory
// would look like a wait nobody can end: a false `hang` on every program whose first .ts file
// is compiled while recording. Waits on these buffers are not recorded (an unknown waker stays
// unknown, it is never called absent).

const unobserved = new WeakSet<SharedArrayBuffer>();

/** Marks every SharedArrayBuffer in `value` (a message or workerData, 3 levels deep). */
export function markUnobservedShared(value: unknown, depth = 3): void {
  if (value instanceof SharedArrayBuffer) {
    unobserved.add(value);
    return;
  }
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof SharedArrayBuffer) unobserved.add(value.buffer);
    return;
  }
  if (depth === 0 || value === null || typeof value !== "object") return;
  const items = Array.isArray(value) ? value : Object.values(value);
  for (const item of items) markUnobservedShared(item, depth - 1);
}

export function isUnobservedShared(buffer: ArrayBufferLike): boolean {
  return buffer instanceof SharedArrayBuffer && unobserved.has(buffer);
}
