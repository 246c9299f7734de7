// DAP `threads` and `stackTrace`: the logical threads (main, workers, spawned tasks) and, for
// each, the frames where it is now: blocked in an acquire/wait/join (top frame at that call),
// parked by a pause, or else where it was last seen. Frames come from the call sites the
// runtime captured, already in TypeScript lines (source maps).
import { Source, StackFrame } from "@vscode/debugadapter";
import type { DebugProtocol } from "@vscode/debugprotocol";
import path from "node:path";
import type { Frame } from "../protocol/events.ts";
import type { Finding, FindingSite, Report } from "../protocol/report.ts";
import { groupByProcess } from "../analysis/processes.ts";
import type { ProgramModel } from "./programModel.ts";

/** Why the program is stopped, and what the stop knows beyond the model. */
export type StopState =
  | {
      readonly kind: "deadlock";
      readonly report: Report;
      /** The blocking finding the stop is about (deadlock, self-deadlock, or hang). */
      readonly finding: Finding;
      readonly text: string;
    }
  | {
      readonly kind: "pause";
      /** Parked threads: ident → call site of the operation each stopped before. */
      readonly parked: ReadonlyMap<number, number>;
      readonly running: readonly string[];
    }
  | {
      /** After the program ended, on a lock-order inversion (stopOnPotentialDeadlock). */
      readonly kind: "potential-deadlock";
      readonly report: Report;
      readonly findings: readonly Finding[];
      readonly text: string;
    };

export interface ThreadEntry {
  readonly id: number;
  readonly name: string;
}

/** A frame to show: where, and whether it is the thread's current position or a last sighting. */
export interface LocatedFrame {
  readonly name: string;
  readonly file: string | undefined;
  readonly line: number;
  readonly column: number;
  readonly current: boolean;
}

/** DAP needs a thread to stop; a program that never loaded threadlens still has its main. */
const FALLBACK_THREAD: ThreadEntry = { id: 1, name: "main" };

/** Ids for the threads of a finding that the model does not know (the program has ended). */
const SYNTHETIC_ID_BASE = 1_000_000;

export function threadsOf(model: ProgramModel, stop: StopState | undefined): ThreadEntry[] {
  if (stop?.kind === "potential-deadlock") return findingThreads(model, stop.findings);
  // Each process's threads together (child processes' threads are named <process>/<thread>).
  const live = groupByProcess(model.liveThreads(), (t) => t.pid).map((t) => ({
    id: t.ident,
    name: t.name,
  }));
  return live.length > 0 ? live : [FALLBACK_THREAD];
}

function findingThreads(model: ProgramModel, findings: readonly Finding[]): ThreadEntry[] {
  const names = [...new Set(findings.flatMap((f) => f.threads))];
  return names.map((name, i) => ({ id: model.identOf(name) ?? SYNTHETIC_ID_BASE + i, name }));
}

function located(frames: readonly Frame[], current: boolean): LocatedFrame[] {
  return frames.map((f) => ({
    name: f.function === "" ? "<module>" : f.function,
    file: f.file,
    line: f.line,
    column: f.column,
    current,
  }));
}

/** Frame names for finding sites, innermost (the acquisition that closes the cycle) first. */
const ROLE_LABEL: Record<FindingSite["role"], string> = {
  acquires: "acquires here, while holding",
  waits: "blocked here",
  misuse: "misuse here",
  held: "holding, acquired here",
  holds: "holds, acquired here",
  created: "created here",
};
const ROLE_ORDER = Object.keys(ROLE_LABEL);

/** The frames of thread `id` for the current stop (or now, when running). */
export function stackOf(
  model: ProgramModel,
  stop: StopState | undefined,
  id: number,
  cwd: string,
): LocatedFrame[] {
  if (stop?.kind === "potential-deadlock") {
    const name = findingThreads(model, stop.findings).find((t) => t.id === id)?.name;
    return stop.findings
      .flatMap((f) => f.sites)
      .filter((site) => site.thread === name)
      .sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role))
      .map((site) => ({
        name: ROLE_LABEL[site.role],
        file: path.resolve(cwd, site.file),
        line: site.line,
        column: site.column,
        current: true,
      }));
  }
  const parkedAt = stop?.kind === "pause" ? stop.parked.get(id) : undefined;
  if (parkedAt !== undefined) return located(model.frames(parkedAt), true);
  const { site, blocked } = model.currentSite(id);
  return located(model.frames(site), blocked);
}

/** The first thread of a finding that the model knows: the thread a stopped event names. */
export function firstThreadOf(model: ProgramModel, finding: Finding): number | undefined {
  for (const name of finding.threads) {
    const ident = model.identOf(name);
    if (ident !== undefined) return ident;
  }
  return undefined;
}

/** How the session numbers frames and converts positions for its client. */
export interface FrameNumbering {
  frameId(): number;
  line(line: number): number;
  column(column: number): number;
}

/** The `stackTrace` response body: the requested slice of the frames, in DAP terms. */
export function toStackFrames(
  frames: readonly LocatedFrame[],
  args: DebugProtocol.StackTraceArguments,
  numbering: FrameNumbering,
): DebugProtocol.StackTraceResponse["body"] {
  const start = args.startFrame ?? 0;
  const end = args.levels === undefined || args.levels === 0 ? undefined : start + args.levels;
  const stackFrames = frames.slice(start, end).map((f) => {
    const source = f.file === undefined ? undefined : new Source(path.basename(f.file), f.file);
    const frame: DebugProtocol.StackFrame = new StackFrame(
      numbering.frameId(),
      f.name,
      source,
      numbering.line(f.line),
      numbering.column(f.column),
    );
    // Where a running thread was last seen is not where it is now.
    if (!f.current) frame.presentationHint = "subtle";
    return frame;
  });
  if (frames.length === 0) {
    // A thread that has not used threadlens yet: a label, so the client still shows the thread.
    const frame: DebugProtocol.StackFrame = new StackFrame(
      numbering.frameId(),
      "(no call site recorded yet)",
    );
    frame.presentationHint = "label";
    stackFrames.push(frame);
  }
  return { stackFrames, totalFrames: Math.max(frames.length, 1) };
}
