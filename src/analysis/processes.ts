// Which process of the run each logical thread belongs to (DESIGN 3.3), for the views that
// group threads per process (the Call Stack, the Threads view). The recorder marks a child
// process's threads with its OS pid; the process is named after its main thread (the name its
// parent gave the Process, or the child's script); threads without a pid are the program's own.
import type { ThreadInfo } from "./dictionary.ts";

/** The label of the program's own process, whose pid the recording does not carry. */
export const ROOT_PROCESS = "main process";

export interface ProcessLabel {
  /** undefined: the program's own process. */
  readonly pid: number | undefined;
  /** "main process", or "<process name> (pid <pid>)". */
  readonly label: string;
}

/** Child processes' names by pid: the name of each one's main thread (else of its first thread). */
export function processNames(threads: Iterable<ThreadInfo>): Map<number, string> {
  const names = new Map<number, string>();
  for (const t of threads) {
    if (t.pid === undefined) continue;
    if (t.kind === "main" || !names.has(t.pid)) names.set(t.pid, t.name);
  }
  return names;
}

/** The process of a thread (its record's `pid`), from `processNames` of the run's threads. */
export function processOf(
  pid: number | undefined,
  names: ReadonlyMap<number, string>,
): ProcessLabel {
  if (pid === undefined) return { pid, label: ROOT_PROCESS };
  return { pid, label: `${names.get(pid) ?? "process"} (pid ${pid})` };
}

/**
 * `items` grouped per process, stable within a group: the program's own process first, then
 * each child process where its first item was.
 */
export function groupByProcess<T>(
  items: readonly T[],
  pidOf: (item: T) => number | undefined,
): T[] {
  const groups = new Map<number | undefined, T[]>([[undefined, []]]);
  for (const item of items) {
    const pid = pidOf(item);
    let group = groups.get(pid);
    if (group === undefined) groups.set(pid, (group = []));
    group.push(item);
  }
  return [...groups.values()].flat();
}
