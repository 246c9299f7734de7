// One recording: feeds the online analysis, writes the trace file, and decides when the program
// must be stopped (a deadlock or hang found, or the --timeout passed) and what is reported.
import type { MetaRecord, TraceEvent } from "../protocol/events.ts";
import type { RecorderOutput } from "../protocol/recorderControl.ts";
import { stopsProgram } from "../protocol/findingRules.ts";
import type { CutProcess, Finding, LockStats, Report, ReportThread } from "../protocol/report.ts";
import { formatEvent, formatMeta } from "../protocol/traceText.ts";
import { TRACE_HEADER } from "../protocol/traceTextReader.ts";
import { formatReport } from "../analysis/humanReport.ts";
import { TraceFileWriter, sendToSupervisor, writeFully } from "./output.ts";
import { failureMessage, reportFailure } from "./failure.ts";

export interface RecorderSettings {
  /** File descriptor of the supervisor (CLI, adapter); undefined: report to stderr. */
  readonly outputFd: number | undefined;
  /** File descriptor the supervisor writes pause/continue commands to (the debug adapter). */
  readonly controlFd: number | undefined;
  readonly traceFile: string | undefined;
  readonly timeoutMs: number | undefined;
  readonly program: string;
  readonly cwd: string;
  /** Also send dictionary records and event batches to the supervisor (the debug adapter). */
  readonly stream: boolean;
}

/** What the recorder needs of the analysis (src/analysis LiveAnalysis). */
export interface OnlineAnalysis {
  add(meta: MetaRecord): void;
  addEvents(events: readonly TraceEvent[]): void;
  check(nowMicros: number): Finding[];
  finish(): Finding[];
  threads(): ReportThread[];
  /** The report's `lockStats`. */
  lockStats(): LockStats[];
  /** A hang finding naming every live thread and where it is (for --timeout). */
  timeoutFinding(timeoutMs: number): Finding;
}

export type AnalysisFactory = (
  cwd: string,
  readSource: (file: string) => string | undefined,
) => OnlineAnalysis;

export class RecorderSession {
  readonly #analysis: OnlineAnalysis;
  #trace: TraceFileWriter | undefined;
  readonly #reported: Finding[] = [];
  readonly #startedAt: number;
  #dropped = 0;
  #stopped = false;
  #cutProcesses: () => readonly CutProcess[] = () => [];

  constructor(
    readonly settings: RecorderSettings,
    readSource: (file: string) => string | undefined,
    createAnalysis: AnalysisFactory,
    private readonly stopProgram: () => void,
  ) {
    this.#analysis = createAnalysis(settings.cwd, readSource);
    const traceFile = settings.traceFile;
    if (traceFile !== undefined) {
      this.#writeTrace(() => {
        this.#trace = new TraceFileWriter(traceFile, `${TRACE_HEADER}\n`);
      });
    }
    this.#startedAt = performance.now();
  }

  /**
   * Runs a write to the trace file. A failure (no folder, a full disk) is reported once and
   * the trace is given up; the analysis, which matters more, goes on.
   */
  #writeTrace(write: () => void): void {
    try {
      write();
    } catch (error) {
      this.#trace?.abandon();
      this.#trace = undefined;
      const what = `cannot write the trace file ${this.settings.traceFile ?? ""}`;
      reportFailure(
        this.settings.outputFd,
        `${failureMessage(what, error).split("\n")[0] ?? what}; the recording goes on without it`,
        false,
      );
    }
  }

  /** Where the report learns which child processes died without exiting (the process hub). */
  watchProcesses(cutProcesses: () => readonly CutProcess[]): void {
    this.#cutProcesses = cutProcesses;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Every logical thread now: state, and where it is blocked or was last seen. */
  threads(): ReportThread[] {
    return this.#analysis.threads();
  }

  /** Sends a message to the supervisor, if there is one. */
  tellSupervisor(message: RecorderOutput): void {
    if (this.settings.outputFd !== undefined) sendToSupervisor(this.settings.outputFd, message);
  }

  addMeta(record: MetaRecord): void {
    this.#analysis.add(record);
    if (this.settings.stream && this.settings.outputFd !== undefined) {
      sendToSupervisor(this.settings.outputFd, { type: "meta", record });
    }
    this.#trace?.append(`${formatMeta(record)}\n`);
  }

  /** Writes what the last drain added to the trace (once per drain: bounded latency). */
  flushTrace(): void {
    const trace = this.#trace;
    if (trace !== undefined) this.#writeTrace(() => trace.flush());
  }

  #closeTrace(endLine: string): void {
    const trace = this.#trace;
    if (trace !== undefined) this.#writeTrace(() => trace.close(endLine));
  }

  addEvents(events: readonly TraceEvent[], dropped: number): void {
    if (dropped > this.#dropped) {
      this.#trace?.append(
        `${formatMeta({ type: "dropped", thread: 0, count: dropped - this.#dropped })}\n`,
      );
      this.#dropped = dropped;
    }
    if (events.length === 0) return;
    this.#analysis.addEvents(events);
    if (this.settings.stream && this.settings.outputFd !== undefined) {
      sendToSupervisor(this.settings.outputFd, { type: "events", events });
    }
    if (this.#trace !== undefined)
      for (const e of events) this.#trace.append(`${formatEvent(e)}\n`);
  }

  /** The online check: stops the program on a deadlock, a hang, or the timeout. */
  check(nowMicros: number): void {
    if (this.#stopped) return;
    const blocking = this.#analysis.check(nowMicros).filter((f) => stopsProgram(f.kind));
    const timeout = this.settings.timeoutMs;
    if (
      blocking.length === 0 &&
      timeout !== undefined &&
      performance.now() - this.#startedAt >= timeout
    ) {
      blocking.push(this.#analysis.timeoutFinding(timeout));
    }
    if (blocking.length > 0) this.#stop(blocking);
  }

  #stop(blocking: Finding[]): void {
    this.#stopped = true;
    this.#reported.push(...blocking);
    // A program stopped while blocked never got to join its threads: no unjoined-thread then.
    const rest = this.#analysis
      .finish()
      .filter((f) => !stopsProgram(f.kind) && f.kind !== "unjoined-thread");
    const report = this.#report(null, [...blocking, ...rest]);
    this.#closeTrace(
      `${cutLines(report)}# end: the program is stopped (${blocking.map((f) => f.kind).join(", ")})`,
    );
    if (this.settings.outputFd !== undefined) {
      sendToSupervisor(this.settings.outputFd, { type: "blocked", report });
    } else {
      writeFully(2, formatReport(report));
    }
    this.stopProgram();
  }

  /**
   * The program ended: the post-mortem analysis and the final report. Returns whether it holds
   * a finding that stops the program (a hang found only at the end: the exit code becomes 2).
   */
  finish(exitCode: number): boolean {
    if (this.#stopped) return false;
    this.#stopped = true;
    const report = this.#report(exitCode, this.#analysis.finish());
    this.#closeTrace(`${cutLines(report)}# end: the program exited with code ${exitCode}`);
    if (this.settings.outputFd !== undefined) {
      sendToSupervisor(this.settings.outputFd, { type: "report", report });
    } else if (
      report.findings.length > 0 ||
      report.droppedEvents > 0 ||
      report.cutProcesses !== undefined
    ) {
      writeFully(2, formatReport(report));
    }
    return report.findings.some((f) => stopsProgram(f.kind));
  }

  #report(exitCode: number | null, findings: readonly Finding[]): Report {
    const cut = this.#cutProcesses();
    return {
      version: 1,
      program: this.settings.program,
      exitCode,
      threads: this.#analysis.threads(),
      findings,
      droppedEvents: this.#dropped,
      ...(cut.length > 0 ? { cutProcesses: [...cut] } : {}),
      lockStats: this.#analysis.lockStats(),
    };
  }
}

/** The trace file's note of each child process whose recording its death cut short. */
function cutLines(report: Report): string {
  return (report.cutProcesses ?? [])
    .map((p) => `# cut: process ${p.name} (pid ${p.pid}) died without exiting\n`)
    .join("");
}
