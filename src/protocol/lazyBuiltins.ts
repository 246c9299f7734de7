// Node modules that only some runs use, loaded on first use rather than when the runtime loads:
// the runtime loads in every thread of the program, and compiling node:child_process (with
// what it pulls in: net, dgram) and node:net there costs each worker's start a few
// milliseconds for what only the processes feature needs; node:v8 (with the heap snapshot
// streams it loads) a millisecond of each worker's start for what only items crossing threads
// or processes need.
import { createRequire } from "node:module";
import path from "node:path";
import type * as ChildProcessModule from "node:child_process";
import type * as NetModule from "node:net";
import type * as V8Module from "node:v8";

// Any absolute path does: only built-in modules are required through it.
const requireBuiltin = createRequire(path.resolve("threadlens-builtins.js"));

let childProcessModule: typeof ChildProcessModule | undefined;
let netModule: typeof NetModule | undefined;
let v8Module: typeof V8Module | undefined;

export function childProcess(): typeof ChildProcessModule {
  return (childProcessModule ??= requireBuiltin("node:child_process") as typeof ChildProcessModule);
}

export function net(): typeof NetModule {
  return (netModule ??= requireBuiltin("node:net") as typeof NetModule);
}

export function v8(): typeof V8Module {
  return (v8Module ??= requireBuiltin("node:v8") as typeof V8Module);
}
