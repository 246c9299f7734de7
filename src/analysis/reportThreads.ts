// The `threads` of the JSON report (DESIGN 8): each logical thread's state and stack. A blocked
// thread shows the frames of the call it is blocked in; the others their last captured site.
// A wait with a timeout (a sleep in Atomics.wait, an acquire with a timeout) ends by itself: a
// thread in one is "running", which is also what lets a pause wait for it to reach a
// synchronization point.
import type { ReportThread } from "../protocol/report.ts";
import { relativePath } from "../protocol/paths.ts";
import type { RunState } from "./runState.ts";

export function buildReportThreads(state: RunState, cwd: string): ReportThread[] {
  const { dict } = state;
  const idents = new Set<number>([...state.threads.keys()]);
  for (const info of dict.threads()) idents.add(info.ident);
  return [...idents]
    .sort((a, b) => a - b)
    .map((ident): ReportThread => {
      const status = state.threads.get(ident);
      const info = dict.thread(ident);
      const blocking = status?.blocking;
      const live = state.isLive(ident);
      const stateName: ReportThread["state"] =
        status === undefined
          ? "running"
          : !live
            ? "exited"
            : blocking !== undefined && !blocking.timed
              ? "blocked"
              : "running";
      const site = stateName === "blocked" ? (blocking?.site ?? 0) : (status?.lastSite ?? 0);
      return {
        name: dict.threadName(ident),
        ident,
        kind: info?.kind ?? "worker",
        state: stateName,
        stack: dict.frames(site).map((frame) => ({
          file: relativePath(frame.file, cwd),
          line: frame.line,
          column: frame.column,
          function: frame.function,
        })),
      };
    });
}
