// The command line of a Process's child: the parent's Node options, minus those that belong to
// the parent alone, plus the threadlens preload, so the child loads TypeScript and is recorded
// exactly like its parent.
// Options that would make the child something else than a program run (a test runner, a
// watcher) or fight the parent for a resource (the inspector's port).
const PARENT_ONLY = /^--(test|watch|inspect|debug-port|experimental-test)/;

/** A Node option value naming the threadlens preload (`--import threadlens/register`, its file). */
export function isPreload(value: string | undefined): boolean {
  return value !== undefined && /(^|[\\/])(threadlens[\\/]register|register\.mjs$)/.test(value);
}

/** Node options for the child: the parent's execArgv without its preload, then `preloadUrl`. */
export function childExecArgv(parentArgv: readonly string[], preloadUrl: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < parentArgv.length; i++) {
    const arg = parentArgv[i] ?? "";
    if (arg === "--import" && isPreload(parentArgv[i + 1])) {
      i++;
      continue;
    }
    if (arg.startsWith("--import=") && isPreload(arg.slice("--import=".length))) continue;
    if (PARENT_ONLY.test(arg)) continue;
    out.push(arg);
  }
  out.push("--import", preloadUrl);
  return out;
}

/** Whether Node options (execArgv, or NODE_OPTIONS split at spaces) load the threadlens preload. */
export function hasPreload(argv: readonly string[]): boolean {
  return argv.some(
    (arg, i) =>
      (arg === "--import" && isPreload(argv[i + 1])) ||
      (arg.startsWith("--import=") && isPreload(arg.slice("--import=".length))),
  );
}
