// The command line of a Process's child: the parent's Node options, minus those that belong to
// the parent alone, plus the threadlens preload, so the child loads TypeScript and is recorded
// exactly like its parent.
import { LOADER_OPTION } from "../../protocol/precompiler.ts";

// Options that would make the child something else than a program run (a test runner, a
// watcher) or fight the parent for a resource (the inspector's port).
const PARENT_ONLY = /^--(test|watch|inspect|debug-port|experimental-test)/;

/**
 * A Node option value naming the threadlens preload (`--import threadlens/register`, its file,
 * or its CommonJS build that worker threads get through `--require`).
 */
export function isPreload(value: string | undefined): boolean {
  return value !== undefined && /(^|[\\/])(threadlens[\\/]register|register\.[cm]js$)/.test(value);
}

const PRELOAD_FLAG = /^(?:--import|--require|-r)$/;
const PRELOAD_OPTION = /^(?:--import|--require)=/;

/** `--import <preload>`, `--require <preload>`, `-r <preload>` at `i` (its value at i + 1). */
function preloadFlagAt(argv: readonly string[], i: number): boolean {
  return PRELOAD_FLAG.test(argv[i] ?? "") && isPreload(argv[i + 1]);
}

/** `--import=<preload>` or `--require=<preload>` at `i`. */
function preloadOptionAt(argv: readonly string[], i: number): boolean {
  const arg = argv[i] ?? "";
  return PRELOAD_OPTION.test(arg) && isPreload(arg.slice(arg.indexOf("=") + 1));
}

/** Node options without the threadlens preload, whichever form loads it. */
export function withoutPreload(argv: readonly string[]): string[] {
  return argv.filter(
    (_, i) => !preloadFlagAt(argv, i) && !preloadFlagAt(argv, i - 1) && !preloadOptionAt(argv, i),
  );
}

/** Node options for the child: the parent's execArgv without its preload, then `preloadUrl`. */
export function childExecArgv(parentArgv: readonly string[], preloadUrl: string): string[] {
  const out = withoutPreload(parentArgv).filter((arg) => !PARENT_ONLY.test(arg));
  out.push("--import", preloadUrl);
  return out;
}

/** Whether Node options (execArgv, or NODE_OPTIONS split at spaces) load the threadlens preload. */
export function hasPreload(argv: readonly string[]): boolean {
  return argv.some((_, i) => preloadFlagAt(argv, i) || preloadOptionAt(argv, i));
}

/** Whether these Node options load a loader or preload other than the threadlens preload. */
export function hasOtherLoaders(argv: readonly string[]): boolean {
  return withoutPreload(argv).some((arg) => LOADER_OPTION.test(arg));
}

/** Whether the threadlens preload is the only loader or preload these Node options load. */
export function preloadIsOnlyLoader(argv: readonly string[]): boolean {
  return withoutPreload(argv).length < argv.length && !hasOtherLoaders(argv);
}

/**
 * The Node options of a worker thread that would inherit `parentArgv`: the same, with the
 * preload's CommonJS build (`cjsPreload`) through --require instead of --import (the worker
 * then does without Node's ES module loader unless its program needs it). Undefined, to keep
 * what it inherits, unless the preload is the parent's only loader or preload: the order of
 * several would change (every --require runs before every --import).
 */
export function workerExecArgv(
  parentArgv: readonly string[],
  cjsPreload: string,
): string[] | undefined {
  if (!preloadIsOnlyLoader(parentArgv)) return undefined;
  return [...withoutPreload(parentArgv), "--require", cjsPreload];
}
