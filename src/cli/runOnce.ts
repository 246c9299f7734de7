// One run of the program under the recorder, for `threadlens run`, its `--confirm` reruns,
// `--schedule` replays and `explore` (run.ts, confirm.ts, schedules.ts, explore.ts): the
// recorder's messages, the stop when it reports the program blocked, the report (or one made
// from the exit when the recorder could give none), and the exit code of DESIGN 8.
import path from "node:path";
import { stopsProgram } from "../protocol/findingRules.ts";
import type { Finding, Report } from "../protocol/report.ts";
import {
  EXIT_BLOCKED,
  EXIT_CLEAN,
  EXIT_FINDINGS,
  EXIT_START,
  exitCodeOfSignal,
} from "../launch/exitCodes.ts";
import { superviseProgram, type ProgramLaunch } from "../launch/supervise.ts";
import { markTraceCutShort } from "../launch/traceEnd.ts";

/**
 * DESIGN 8: 2 when the program was stopped blocked, or a deadlock or hang was found only as it
 * ended (DESIGN 5.6); 3 when threadlens itself failed; else the program's own non-zero exit
 * code (its findings are still reported); else 1 for findings.
 */
export function exitCodeOf(report: Report, blocked: boolean, failed: boolean): number {
  if (blocked || report.findings.some((f) => stopsProgram(f.kind))) return EXIT_BLOCKED;
  if (failed) return EXIT_START;
  if (report.exitCode !== null && report.exitCode !== 0) return report.exitCode;
  return report.findings.length > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
}

/** The report when the recorder could not give one (the program was killed or crashed hard). */
function fallbackReport(program: string, exitCode: number | null, findings: Finding[]): Report {
  return { version: 1, program, exitCode, threads: [], findings, droppedEvents: 0 };
}

export interface RunOutcome {
  readonly report: Report;
  /** The recorder stopped the program (deadlock, hang, timeout). */
  readonly stopped: boolean;
  /** threadlens itself failed (the recorder said so). */
  readonly failed: boolean;
  /** Why the program ended by a signal threadlens did not send, if it did. */
  readonly killedWhy: string | undefined;
}

/**
 * Runs the program once under the recorder and returns its report. `check`, started once the
 * program's process is, is a start check that runs meanwhile: when it fails, the program is
 * stopped and its error is thrown (no report).
 */
export async function runToReport(
  launch: ProgramLaunch,
  check?: () => Promise<void>,
): Promise<RunOutcome> {
  const findings: Finding[] = [];
  let blocked: Report | undefined;
  let final: Report | undefined;
  let failed = false;
  const startedAt = performance.now();
  const program = superviseProgram(launch, (message) => {
    if (message.type === "finding") findings.push(message.finding);
    else if (message.type === "report") final = message.report;
    else if (message.type === "failure") {
      failed = true;
      process.stderr.write(`threadlens: ${message.message}\n`);
      if (message.fatal) {
        process.stderr.write("threadlens: the program is stopped (exit 3)\n");
        program.killTree();
      }
    } else if (message.type === "blocked" && blocked === undefined) {
      blocked = message.report;
      program.killTree();
    }
  });
  // Backstop: if the recorder cannot stop a program at its timeout, this does.
  const backstop =
    launch.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          if (blocked === undefined) program.killTree();
        }, launch.timeoutMs + 5000);
  if (check !== undefined) {
    try {
      await check();
    } catch (error) {
      program.killTree();
      program.closeControl();
      await program.ended.catch(() => undefined);
      if (backstop !== undefined) clearTimeout(backstop);
      throw error;
    }
  }
  const { code, signal } = await program.ended;
  program.closeControl();
  if (backstop !== undefined) clearTimeout(backstop);
  const stoppedReport = blocked as Report | undefined;
  const killed = stoppedReport === undefined && !failed && signal !== null;
  const signalCode = signal === null ? undefined : exitCodeOfSignal(signal);
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  const killedWhy = killed ? `the program was killed by ${signal} after ${seconds} s` : undefined;
  // Killed from outside (by a signal threadlens did not send): the trace keeps what was
  // recorded up to then, and says where it stops.
  if (killedWhy !== undefined && launch.traceFile !== undefined)
    markTraceCutShort(path.resolve(launch.traceFile), killedWhy);
  const report: Report =
    stoppedReport ?? final ?? fallbackReport(launch.program, code ?? signalCode ?? null, findings);
  return { report, stopped: stoppedReport !== undefined, failed, killedWhy };
}
