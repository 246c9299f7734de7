// Whether this process has loaded TypeScript: one word shared by every thread of the process
// (environment data, which a worker inherits from the thread that starts it, and whose
// SharedArrayBuffer stays one memory) and by the module hooks' thread (register()'s data).
// A worker of a JavaScript program whose code imports dynamically (a pool library's worker
// loading its task module) need not start the module hooks for what the program would load
// the same without them (register.ts, importTargets.ts); in a process that loads TypeScript,
// whatever it names may be TypeScript, and every such worker starts them, as before.
import { getEnvironmentData, setEnvironmentData } from "node:worker_threads";

const ENV_KEY = "threadlens:typeScriptSeen";

/** This process's word: the one inherited, else a new one that threads started later inherit. */
export function typeScriptWord(): Int32Array {
  const inherited = getEnvironmentData(ENV_KEY);
  if (inherited instanceof SharedArrayBuffer) return new Int32Array(inherited);
  const word = new Int32Array(new SharedArrayBuffer(4));
  setEnvironmentData(ENV_KEY, word.buffer as SharedArrayBuffer);
  return word;
}

/** Says that a thread of this process loads (or compiled ahead) a TypeScript module. */
export function markTypeScript(word: Int32Array = typeScriptWord()): void {
  Atomics.store(word, 0, 1);
}

/** Whether a thread of this process has loaded a TypeScript module, or compiled one ahead. */
export function typeScriptSeen(): boolean {
  return Atomics.load(typeScriptWord(), 0) === 1;
}
