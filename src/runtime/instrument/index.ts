// Instrumentation of code that never imports threadlens (DESIGN 3.2): installed in every
// thread by the preload (register.ts imports the runtime, whose index.ts calls this when
// recording is on). One runtime instance per thread does all the recording.
import { instrumentAsyncMutexHook } from "./asyncMutexHook.ts";
import { instrumentAtomics } from "./atomics.ts";
import { instrumentChildProcesses } from "./childProcesses.ts";
import { countCombinators } from "./combinators.ts";
import { watchLoop } from "./loopWatch.ts";
import { watchStuckAwaits } from "./stuckAwaits.ts";
import { instrumentWorkers } from "./workers.ts";

let installed = false;

export function installInstrumentation(): void {
  if (installed) return;
  installed = true;
  // Promise.all branches are logical threads (DESIGN 3.1): read only while one may run.
  countCombinators();
  instrumentWorkers();
  instrumentChildProcesses();
  instrumentAtomics();
  instrumentAsyncMutexHook();
  watchStuckAwaits();
  watchLoop();
}
