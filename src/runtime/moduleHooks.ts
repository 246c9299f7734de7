// Whether a thread needs the ES module loader hooks (loaderHooks.ts). On Node 20 the hooks run
// in a thread of their own that every thread registering them starts and waits for: the
// largest part of the preload's start-up in the main thread and of every worker's. They are
// needed for what only ES module loading reaches: TypeScript modules, `import "threadlens"`
// sent to the preload's runtime, async-mutex's ES module build, and TypeScript-style
// specifiers. A thread whose entry is a CommonJS JavaScript file reaches modules through
// require(), which the preload's require hooks cover (TypeScript, "threadlens",
// async-mutex's CommonJS build), so it does without them; unless the entry's own source
// imports dynamically (`import(`), as a pool library's worker does to load a task module. An
// ES module entry does without them when its static graph does (esmGraph.ts). A module loaded
// later that needs them (a dynamic import in a required file, an ES module required) starts
// them before it runs (register.ts). Everything else (TypeScript entries, `-e`, a worker's
// entry not known) gets them at once. A worker of a JavaScript program (no TypeScript loaded
// in its process: typeScriptSeen.ts) is given the modules its dynamic imports load, as far as
// its workerData names them (importTargets.ts): it needs the hooks for its dynamic imports
// only when one of those does.
import { readFileSync, realpathSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ESM_SYNTAX, isTypeScriptFile, packageType } from "./moduleFormat.ts";
import {
  esmGraphAsyncMutexBuilds,
  esmGraphImportsDynamically,
  esmGraphNeedsHooks,
  hasDynamicImport,
} from "./esmGraph.ts";

/**
 * Set by the preload (register.ts) before the runtime loads when the thread may instrument
 * node:child_process when the program first requires it (instrument/childProcesses.ts): no
 * module hooks, and no ES module scanned imports it or node:cluster. Loading it costs each
 * thread a few milliseconds, and most never use it.
 */
export const LAZY_CHILD_PROCESSES_KEY = Symbol.for("threadlens.lazyChildProcesses");
/** Left by the runtime: instruments node:child_process now (before code that may import it). */
export const CHILD_PROCESSES_NOW_KEY = Symbol.for("threadlens.childProcessesNow");

/**
 * Set by the preload (register.ts): its claim words (loaderClaims.ts), which say whether
 * another loader compiles TypeScript in this process (then no worker entry is compiled ahead:
 * precompiledEntry.ts).
 */
export const TS_CLAIMS_KEY = Symbol.for("threadlens.typeScriptClaims");

/** Where a Pool worker's shim leaves the pool's module it imported (poolWorker.ts). */
export const POOL_MODULE_KEY = Symbol.for("threadlens.poolModule");

/** Environment data key: the entry of the worker being started (instrument/workers.ts). */
export const WORKER_ENTRY_KEY = "threadlens:workerEntry";

/** What a parent tells a worker's preload about the worker's entry. */
export interface WorkerEntry {
  /** The entry file's path, or undefined for code evaluated from a string. */
  readonly file: string | undefined;
}

function entryPath(entry: string | URL): string | undefined {
  if (entry instanceof URL) return entry.protocol === "file:" ? fileURLToPath(entry) : undefined;
  if (entry.startsWith("file:")) return fileURLToPath(entry);
  if (/^[a-z][a-z\d+.-]*:/i.test(entry) && !/^[a-z]:[\\/]/i.test(entry)) return undefined;
  return path.resolve(entry);
}

/** The worker entry a parent hands down for `new Worker(filename, options)`. */
export function workerEntry(filename: string | URL, evaluated: boolean): WorkerEntry {
  return { file: evaluated ? undefined : entryPath(filename) };
}

/**
 * True unless `file` is JavaScript that loads the same without the hooks: a CommonJS file
 * (`.cjs`, or `.js` outside a `"type": "module"` package with no ES module syntax: Node 20
 * loads such files as modules) whose own source has no dynamic import, or an ES module whose
 * static graph needs nothing of them (esmGraph.ts).
 */
export function needsModuleHooks(entry: string | undefined): boolean {
  const plan = moduleHooksPlan(entry);
  return plan === true || plan.length > 0;
}

/**
 * needsModuleHooks for the preload's ES module build, which can instrument async-mutex's ES
 * module build in place (register.ts): true when the entry needs the hooks for anything else,
 * else the async-mutex ES module builds its graph reaches (usually none).
 */
export function moduleHooksPlan(
  entry: string | undefined,
  importTargets?: readonly string[],
): true | readonly string[] {
  const own = entryPlan(entry, importTargets !== undefined);
  if (own === true) return true;
  if (importTargets === undefined || !own.dynamic) return own.builds;
  const targets = importTargetsPlan(importTargets);
  return targets === true ? true : [...new Set([...own.builds, ...targets])];
}

/**
 * What the modules a worker's dynamic imports load (`targets`) need: true for the hooks, else
 * the async-mutex ES module builds their graphs reach. A target's own dynamic imports load
 * what nothing names: the hooks.
 */
function importTargetsPlan(targets: readonly string[]): true | readonly string[] {
  // A thread's targets are one array, asked again for every later module that imports.
  const known = targetPlans.get(targets);
  if (known !== undefined) return known;
  const plan = planOfTargets(targets);
  targetPlans.set(targets, plan);
  return plan;
}

const targetPlans = new WeakMap<readonly string[], true | readonly string[]>();

function planOfTargets(targets: readonly string[]): true | readonly string[] {
  const builds = new Set<string>();
  for (const target of targets) {
    const plan = entryPlan(target, false);
    if (plan === true) return true;
    for (const build of plan.builds) builds.add(build);
  }
  return [...builds];
}

interface EntryPlan {
  /** The async-mutex ES module builds its graph reaches. */
  readonly builds: readonly string[];
  /** It imports dynamically (only when `dynamicCovered`: else the plan is `true`). */
  readonly dynamic: boolean;
}

function entryPlan(entry: string | undefined, dynamicCovered: boolean): true | EntryPlan {
  if (entry === undefined || isTypeScriptFile(entry)) return true;
  let file: string;
  try {
    file = realpathSync(entry);
  } catch {
    return true; // Node reports the missing file; the hooks change nothing about that
  }
  const esm =
    file.endsWith(".mjs") || (file.endsWith(".js") && packageType(path.dirname(file)) === "module");
  if (!esm && !file.endsWith(".cjs") && !file.endsWith(".js")) return true;
  let source: string;
  try {
    source = readFileSync(file, "utf8");
  } catch {
    return true;
  }
  const dynamic = hasDynamicImport(source);
  if (dynamic && !dynamicCovered) return true;
  if (esm || (!file.endsWith(".cjs") && ESM_SYNTAX.test(source))) {
    const builds = esmGraphAsyncMutexBuilds(file, source, dynamicCovered);
    if (builds === undefined) return true;
    return { builds, dynamic: dynamic || esmGraphImportsDynamically(file, source) };
  }
  return { builds: [], dynamic };
}

/**
 * Whether a module that require() is about to compile (`format` as Node's loader says it)
 * needs the hooks started first: it imports dynamically (and, given `importTargets`, one of
 * those needs them), or it is an ES module whose static graph needs them.
 */
export function laterModuleNeedsHooks(
  file: string,
  source: string,
  format?: string,
  importTargets?: readonly string[],
): boolean {
  const esm =
    format === "module" ||
    (format === undefined && !file.endsWith(".cjs") && ESM_SYNTAX.test(source));
  if (esm && esmGraphNeedsHooks(file, source)) return true;
  const dynamic = hasDynamicImport(source) || (esm && esmGraphImportsDynamically(file, source));
  if (!dynamic) return false;
  if (importTargets === undefined) return true;
  const plan = importTargetsPlan(importTargets);
  return plan === true || plan.length > 0;
}
