// The Threads view's process groups (DESIGN 3.3): a run with child processes draws each
// process's lanes under its name, the lanes of a process together (the snapshot orders them so).
import type { ThreadLane } from "../../src/extension/webviewMessages.ts";

export interface ProcessHeader {
  /** The index of the group's first lane. */
  readonly lane: number;
  /** "main process", or "<name> (pid <pid>)". */
  readonly label: string;
  /** The number of lanes in the group. */
  readonly lanes: number;
}

/** One header per run of lanes of the same process; none when every lane is of one process. */
export function processHeaders(lanes: readonly Pick<ThreadLane, "process">[]): ProcessHeader[] {
  const headers: { lane: number; label: string; lanes: number }[] = [];
  lanes.forEach((lane, i) => {
    const last = headers.at(-1);
    if (last !== undefined && last.label === lane.process) last.lanes++;
    else headers.push({ lane: i, label: lane.process, lanes: 1 });
  });
  return headers.length > 1 ? headers : [];
}
