// The debugger's pause (DESIGN 6: "pause stops threads at their next synchronization point").
// The preload shares one pause word with every thread; the recorder thread sets it when the
// debug adapter asks. Acquire and wait entry points test it with one plain load and, when it
// is set, park the calling logical thread here until the recorder clears it. Only user-visible
// primitives pause, so a thread never stops inside a Queue or Semaphore's internal lock.
import { rawWait, rawWaitAsync } from "./rawAtomics.ts";
import { getEnvironmentData } from "node:worker_threads";
import { PAUSE_DATA_KEY, PAUSE_WORD } from "../protocol/recorderControl.ts";
import { currentIdent } from "./logicalThread.ts";
import { captureSite, publish, tellRecorder } from "./recording.ts";
import { recordAllHolds } from "./pendingHolds.ts";

const shared = getEnvironmentData(PAUSE_DATA_KEY);
/** Non-zero while a pause is in force. Without the preload: a private word, never set. */
export const pauseWord: Int32Array =
  shared instanceof SharedArrayBuffer ? new Int32Array(shared) : new Int32Array(1);

/** Tells the recorder where this logical thread stopped; returns the pause generation. */
function announceParked(): number {
  const generation = Atomics.load(pauseWord, PAUSE_WORD);
  if (generation === 0) return 0;
  // Everything this thread did before it stopped, the locks it holds included, is visible to
  // the recorder first.
  recordAllHolds();
  publish();
  tellRecorder({ type: "parked", generation, thread: currentIdent(), site: captureSite() });
  return generation;
}

/** Blocks the OS thread while the pause is in force (for the Sync entry points). */
export function parkWhilePausedSync(): void {
  const generation = announceParked();
  while (generation !== 0 && Atomics.load(pauseWord, PAUSE_WORD) === generation) {
    rawWait(pauseWord, PAUSE_WORD, generation);
  }
}

/** Resolves once the pause is over; other logical threads of this OS thread keep running. */
export async function parkWhilePausedAsync(): Promise<void> {
  const generation = announceParked();
  if (generation === 0) return;
  // A pending waitAsync does not keep the event loop alive; a plain timer does, and (unlike
  // parking.ts holdLoop) it does not make the loop look idle to the hang check: a paused
  // thread is not hung.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    while (Atomics.load(pauseWord, PAUSE_WORD) === generation) {
      const wait = rawWaitAsync(pauseWord, PAUSE_WORD, generation);
      if (wait.async) await wait.value;
    }
  } finally {
    clearInterval(keepAlive);
  }
}
