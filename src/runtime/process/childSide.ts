// The child's side of a Process. An error that ends the child (a syntax error in its module
// included) is printed as a Thread's is, naming the process. A child never outlives its parent. A parent that exits
// normally ends its daemon children itself (process.ts); one that is killed cannot, so the
// child watches its parent's pid and ends itself (SIGTERM, as the parent would have) once it
// has been orphaned. An unref'd timer: the watch never keeps the child alive.
import { processBootstrap } from "./bootstrap.ts";

const ORPHAN_CHECK_MS = 100;

export function watchForOrphaning(): void {
  const parentPid = processBootstrap?.parentPid;
  if (parentPid === undefined) return;
  setInterval(() => {
    if (process.ppid !== parentPid) process.kill(process.pid, "SIGTERM");
  }, ORPHAN_CHECK_MS).unref();
}

/**
 * Prints an uncaught error as "Exception in process <name>:" and its stack, and ends the child
 * with code 1 (Node's own code for it); a program that handles uncaught errors itself keeps
 * that to itself.
 */
export function reportUncaughtErrors(): void {
  const name = processBootstrap?.name;
  if (name === undefined) return;
  const handler = (error: unknown): void => {
    if (process.listenerCount("uncaughtException") > 1) return;
    const text = error instanceof Error ? (error.stack ?? String(error)) : String(error);
    process.stderr.write(`Exception in process ${name}:\n${text}\n`);
    process.exit(1);
  };
  process.on("uncaughtException", handler);
}
