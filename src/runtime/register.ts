// The preload: `node --import threadlens/register app.ts`. Runs in the main thread and again
// in every worker thread (workers inherit --import). In each one it makes TypeScript modules
// loadable (ESM through the loader hooks, CommonJS through a require hook), turns on source
// maps so that stacks point at TypeScript lines, and turns on recording; in the main thread it
// also starts the recorder thread (recorderStart.ts) and, at exit, has everything written down.
import Module, { createRequire, register } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  getEnvironmentData,
  isMainThread,
  setEnvironmentData,
  workerData,
} from "node:worker_threads";
import { RECORDER_WORKER_MARK } from "../protocol/recorderWire.ts";
import { ENV_MAIN_ENTRY } from "../protocol/recorderControl.ts";
import { ENV_PROCESS_BOOTSTRAP } from "./process/env.ts";
import { compileSync } from "./tsTransform.ts";
import { internally } from "./internalWait.ts";
import { loadWithCodeCache } from "./runtimeCode.ts";
import { startRecorder } from "./recorderStart.ts";
import { scannedImportOf, setOwnRuntimeFace } from "./esmGraph.ts";
import { namedModuleFiles } from "./importTargets.ts";
import { isTypeScriptFile } from "./moduleFormat.ts";
import { markTypeScript, typeScriptSeen, typeScriptWord } from "./typeScriptSeen.ts";
import {
  CHILD_PROCESSES_NOW_KEY,
  LAZY_CHILD_PROCESSES_KEY,
  TS_CLAIMS_KEY,
  WORKER_ENTRY_KEY,
  laterModuleNeedsHooks,
  moduleHooksPlan,
  type WorkerEntry,
} from "./moduleHooks.ts";
import {
  CLAIMABLE_EXTENSIONS,
  isNodeBuiltinHandler,
  markClaimed,
  newClaimWords,
} from "./loaderClaims.ts";

const distDir = path.dirname(fileURLToPath(import.meta.url));
const poolWorkerScript = path.join(distDir, "poolWorker.js");
const require = createRequire(import.meta.url);
const inRecorder =
  !isMainThread &&
  workerData !== null &&
  typeof workerData === "object" &&
  RECORDER_WORKER_MARK in workerData;

/** This thread's entry file; undefined when it is code (`-e`, stdin) or not known. */
function threadEntry(): string | undefined {
  if (!isMainThread) {
    const entry = getEnvironmentData(WORKER_ENTRY_KEY) as WorkerEntry | undefined;
    // Read once: a worker this thread starts some other way must not inherit it.
    setEnvironmentData(WORKER_ENTRY_KEY, undefined);
    return entry?.file;
  }
  const evaluated = process.execArgv.some((arg) => /^(?:-[ep]+|--eval|--print)(?:=|$)/.test(arg));
  const file = process.argv[1];
  return evaluated || file === undefined || file === "-" ? undefined : file;
}

// THREADLENS_RECORD=0 keeps the TypeScript loading and turns recording off (for measuring it).
const recording = !inRecorder && process.env["THREADLENS_RECORD"] !== "0";
// First: the recorder thread starts while this thread registers the loader hooks, which waits
// for the hooks' own thread to start.
if (recording && isMainThread) startRecorder();

const claims = newClaimWords();
(globalThis as Record<symbol, unknown>)[TS_CLAIMS_KEY] = claims;
// Made (main thread) or inherited (workers) before this thread starts any worker.
const typeScript = typeScriptWord();
let hooksRegistered = false;
function registerHooks(): void {
  hooksRegistered = true;
  // Registered late (registerHooksWhenNeeded), after the runtime instrumented Atomics: Node's
  // wait for the hooks' thread to start is not the program's (INTERNAL_WAIT below).
  internally(() =>
    register(pathToFileURL(path.join(distDir, "loaderHooks.mjs")).href, {
      data: { claims, typeScript },
    }),
  );
  // From now on an ES module may import node:child_process without the preload seeing it.
  childProcessesNow();
}

function childProcessesNow(): void {
  const now = (globalThis as Record<symbol, unknown>)[CHILD_PROCESSES_NOW_KEY];
  if (typeof now === "function") (now as () => void)();
}
setOwnRuntimeFace(path.join(distDir, "runtime.mjs"));
/**
 * async-mutex's ES module builds that this thread's static graph imports, when they are all
 * it needs the hooks for: the ES module build of this preload instruments them in place
 * instead (instrumentAsyncMutexBuilds); its CommonJS build (a worker's) cannot wait for that.
 */
let asyncMutexBuilds: readonly string[] = [];
const entry = threadEntry();
// Started on its TypeScript entry compiled ahead (launch/compiledEntry.ts), whose graph the
// plan below is made from: the program sees its own entry in process.argv[1], as without it.
const mainEntry = isMainThread ? process.env[ENV_MAIN_ENTRY] : undefined;
if (mainEntry !== undefined) {
  process.argv[1] = mainEntry;
  delete process.env[ENV_MAIN_ENTRY];
}
if (mainEntry !== undefined || (entry !== undefined && isTypeScriptFile(entry)))
  markTypeScript(typeScript);
/**
 * In a worker of a JavaScript program, the modules its dynamic imports load: those its
 * workerData names (importTargets.ts), which a pool's worker imports; whatever else it may
 * import dynamically loads as under plain node (no TypeScript: in such a program that is only
 * a module named at run time, which plain node does not load either).
 * THREADLENS_WORKER_IMPORT_HOOKS=1: every worker that imports dynamically starts the hooks.
 */
const importTargets =
  !isMainThread &&
  !inRecorder &&
  !typeScriptSeen() &&
  process.env["THREADLENS_WORKER_IMPORT_HOOKS"] !== "1"
    ? namedModuleFiles(workerData)
    : undefined;
const hooksPlan = moduleHooksPlan(entry, importTargets);
if (hooksPlan === true) registerHooks();
else if (!recording)
  registerHooksWhenNeeded(); // nothing to instrument
else if (hooksPlan.length > 0 && !import.meta.url.endsWith(".mjs")) registerHooks();
else {
  asyncMutexBuilds = hooksPlan;
  registerHooksWhenNeeded();
}
(globalThis as Record<symbol, unknown>)[LAZY_CHILD_PROCESSES_KEY] =
  !hooksRegistered && !scannedImportOf("child_process") && !scannedImportOf("cluster");

interface CompilingModule {
  _compile(content: string, filename: string, format?: string): unknown;
}

/**
 * A thread that started without the module hooks (moduleHooks.ts) starts them before a module
 * that needs them runs: a CommonJS module that imports dynamically, or an ES module required
 * (Node 20 loads it through the ES module loader) whose static graph needs them. Every module
 * that require() loads, the ones an ES module imports from CommonJS files included, is
 * compiled here first.
 */
function registerHooksWhenNeeded(): void {
  const proto = Module.prototype as unknown as CompilingModule;
  const compile = proto._compile;
  const watching = function (
    this: CompilingModule,
    content: string,
    filename: string,
    format?: string,
  ): unknown {
    // The pool worker script, required by a shim that imported its module already
    // (precompiledEntry.ts compiledPoolShim): its import() is for a module not compiled ahead,
    // for which it is the thread's entry, and the hooks' plan above covered it.
    if (filename === poolWorkerScript) return compile.call(this, content, filename, format);
    if (!hooksRegistered && laterModuleNeedsHooks(filename, content, format, importTargets)) {
      registerHooks();
      // Put back unless another loader has wrapped it meanwhile.
      if (proto._compile === watching) proto._compile = compile;
    } else if (scannedImportOf("child_process") || scannedImportOf("cluster")) {
      childProcessesNow(); // an ES module required that imports it
    }
    return compile.call(this, content, filename, format);
  };
  proto._compile = watching;
}

interface CompilableModule {
  _compile(code: string, filename: string): void;
}
type ExtensionHandler = (module: CompilableModule, filename: string) => void;
type Extensions = Record<string, ExtensionHandler>;

function compileCommonJs(module: CompilableModule, filename: string): void {
  const source = readFileSync(filename, "utf8");
  // A loader registered after this preload (mocha's `--require ts-node/register`, pirates'
  // addHook) wraps this handler: it has put its own compile on the module and expects the
  // source as written, which it compiles itself.
  if (Object.hasOwn(module, "_compile")) {
    module._compile(source, filename);
    return;
  }
  const loadEsbuild = () => require("esbuild") as typeof import("esbuild");
  module._compile(compileSync(filename, source, "commonjs", loadEsbuild), filename);
}

const extensions = (Module as unknown as { _extensions: Extensions })._extensions;

// CommonJS side of the loader hooks' rule: `require("threadlens")` is this preload's runtime,
// whichever copy of the package the program depends on (one runtime state per thread).
type ResolveFilename = (request: string, ...rest: unknown[]) => string;
const moduleWithResolve = Module as unknown as { _resolveFilename: ResolveFilename };
const resolveFilename = moduleWithResolve._resolveFilename;
const ownRuntime = path.join(distDir, "runtime.js");
moduleWithResolve._resolveFilename = function (request: string, ...rest: unknown[]): string {
  if (request !== "threadlens") return resolveFilename.call(this, request, ...rest);
  // Loaded with its code cache the first time (recording on, this preload has loaded it
  // already; off, the program's first require or import of it does, as the ES module face
  // requires it by this name).
  loadWithCodeCache(ownRuntime);
  return ownRuntime;
};

/**
 * The require hook for .ts/.cts/.tsx, unless another TypeScript loader got there first
 * (`-r ts-node/register` runs before `--import`); a loader that comes later takes the extension
 * over through the setter, which tells the loader hooks (loaderClaims.ts) to leave its files
 * to it as well.
 */
function installRequireHook(ext: string): void {
  const existing = extensions[ext];
  let current: ExtensionHandler = compileCommonJs;
  if (existing !== undefined && !isNodeBuiltinHandler(existing)) {
    current = existing;
    markClaimed(claims, ext);
  }
  Object.defineProperty(extensions, ext, {
    configurable: true,
    enumerable: true,
    get: () => current,
    set: (handler: ExtensionHandler) => {
      current = handler;
      // pirates' revert puts this preload's handler back: the extension is ours again.
      if (handler === compileCommonJs) markClaimed(claims, ext, 0);
      else markClaimed(claims, ext);
    },
  });
}
for (const ext of CLAIMABLE_EXTENSIONS) installRequireHook(ext);

if (recording) {
  (globalThis as Record<symbol, unknown>)[Symbol.for("threadlens.recording")] = true;
  instrumentAsyncMutexCommonJs();
  // The runtime, loaded here in every thread, instruments code that never imports threadlens
  // (worker_threads, Atomics, async-mutex: DESIGN 3.2). Registered in require's cache under the
  // path the package's own name resolves to, so the program's `import "threadlens"` gets this
  // same instance: one runtime state per thread.
  loadWithCodeCache(ownRuntime);
} else if (isMainThread && process.env[ENV_PROCESS_BOOTSTRAP] !== undefined) {
  // A Process's child unrecorded still needs its runtime's child side (processArgs, the watch
  // that ends it with its parent).
  loadWithCodeCache(ownRuntime);
}
// Turned on once the runtime has loaded: the program's own modules get their maps (stacks,
// sites and findings at TypeScript lines), the runtime's bundle does not. Its map is
// 200 KB that the first stack capture in every thread would parse, for frames that sites skip.
process.setSourceMapsEnabled(true);

interface AsyncMutexHook {
  mutex(ctor: unknown): unknown;
  semaphore(ctor: unknown): unknown;
  withTimeout(fn: unknown): unknown;
  patchable(source: string): boolean;
  module(namespace: Record<string, unknown>): void;
}

function asyncMutexHook(): AsyncMutexHook | undefined {
  return (globalThis as Record<symbol, AsyncMutexHook | undefined>)[
    Symbol.for("threadlens.asyncMutex")
  ];
}

function patchableSource(hook: AsyncMutexHook, file: string): boolean {
  try {
    return hook.patchable(readFileSync(file, "utf8"));
  } catch {
    return false;
  }
}

/**
 * Run by the preload's ES module build (registerModule.ts) before the program's first module:
 * imports the async-mutex ES module builds of the program's static graph and has the runtime
 * instrument them in place (instrument/asyncMutexModule.ts), so that the program, importing
 * the same modules, needs no module hooks' thread. A build of another shape than the one that
 * relies on gets the hooks, which instrument it as the program loads it.
 */
export async function instrumentAsyncMutexBuilds(): Promise<void> {
  if (asyncMutexBuilds.length === 0) return;
  const hook = asyncMutexHook();
  if (hook === undefined || !asyncMutexBuilds.every((file) => patchableSource(hook, file))) {
    if (!hooksRegistered) registerHooks();
    return;
  }
  for (const file of asyncMutexBuilds) {
    hook.module((await import(pathToFileURL(file).href)) as Record<string, unknown>);
  }
}

/**
 * async-mutex's CommonJS build (lib/*.js) reads its classes through `exports.default` of each
 * file at use, so replacing those exports as the files load instruments every use, the
 * package's own (Mutex's Semaphore, tryAcquire's withTimeout) included.
 */
function instrumentAsyncMutexCommonJs(): void {
  const file = /[\\/]node_modules[\\/]async-mutex[\\/]lib[\\/](Mutex|Semaphore|withTimeout)\.js$/;
  const loadJs = extensions[".js"];
  if (loadJs === undefined) return;
  extensions[".js"] = (module, filename) => {
    loadJs(module, filename);
    const which = file.exec(filename)?.[1];
    if (which === undefined) return;
    const hook = asyncMutexHook();
    const exports = (module as unknown as { exports: Record<string, unknown> }).exports;
    if (hook === undefined) return;
    if (which === "Mutex") exports["default"] = hook.mutex(exports["default"]);
    else if (which === "Semaphore") exports["default"] = hook.semaphore(exports["default"]);
    else exports["withTimeout"] = hook.withTimeout(exports["withTimeout"]);
  };
}
