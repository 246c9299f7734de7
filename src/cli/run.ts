// `threadlens run`: runs the program under the preload and its recorder, relays the program's
// output, stops it when the recorder reports it blocked, and turns the recorder's report into
// the exit code, the human report and the JSON (DESIGN section 8). `--schedule` replays a
// controlled schedule and `--confirm` reruns potential deadlocks under directed schedules
// (DESIGN 8.1, confirm.ts and schedules.ts).
import { readFileSync } from "node:fs";
import path from "node:path";
import { formatReport } from "../analysis/humanReport.ts";
import { stopsProgram } from "../protocol/findingRules.ts";
import { formatLockStats } from "../analysis/lockStatsText.ts";
import type { Finding, Report } from "../protocol/report.ts";
import type { Command } from "./args.ts";
import { confirmFindings, formatConfirmations } from "./confirm.ts";
import type { FixCheckOptions } from "../analysis/static/checkedFixes.ts";
import { replayEnv, withScheduleOf } from "./schedules.ts";
import {
  EXIT_BLOCKED,
  EXIT_CLEAN,
  EXIT_FINDINGS,
  EXIT_START,
  exitCodeOfSignal,
} from "../launch/exitCodes.ts";
import {
  StartError,
  checkOutputFile,
  checkProgramFile,
  checkSyntax,
  superviseProgram,
  type ProgramLaunch,
} from "../launch/supervise.ts";
import { markTraceCutShort } from "../launch/traceEnd.ts";

export { StartError };

type RunCommand = Extract<Command, { command: "run" }>;

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

export async function run(cmd: RunCommand, distDir: string): Promise<number> {
  const file = path.resolve(cmd.program);
  const typeScript = checkProgramFile(file, cmd.program);
  // A trace that cannot be written is a start error, not a recorder that fails mid-run.
  if (cmd.trace !== undefined) checkOutputFile(path.resolve(cmd.trace), cmd.trace);
  const launch: ProgramLaunch = {
    program: cmd.program,
    file,
    args: cmd.args,
    distDir,
    traceFile: cmd.trace,
    timeoutMs: cmd.timeoutMs,
    // With --json, stdout carries only the JSON report: the program's output goes to stderr.
    stdio: ["inherit", cmd.json ? 2 : "inherit", "inherit"],
  };
  const replay = cmd.schedule === undefined ? undefined : replayEnv(cmd.schedule, file);
  if (replay?.warning !== undefined) process.stderr.write(`threadlens: ${replay.warning}\n`);
  // The syntax check runs while the program's process starts (its preload takes longer than
  // the check): a main module that does not compile fails there before any of its code runs,
  // and the check's StartError (exit 3) is what the user sees.
  const outcome = await runToReport(
    replay?.env === undefined ? launch : { ...launch, env: { ...process.env, ...replay.env } },
    typeScript ? () => checkSyntax(file) : undefined,
  );
  const { stopped, failed, killedWhy } = outcome;
  let { report } = outcome;
  if (replay?.env !== undefined && cmd.schedule !== undefined) {
    report = withScheduleOf(report, cmd.schedule);
  }
  // Every edit re-analysed on the edited text before it is offered (DESIGN 5.4). Loaded on
  // demand: the TypeScript compiler costs a short run (an explore, a replay) a fifth of a second.
  if (report.findings.some((f) => f.suggestions.some((s) => s.edit !== undefined))) {
    const { checkFixEdits } = await import("../analysis/static/checkedFixes.ts");
    report = { ...report, findings: checkFixEdits(report.findings, fixCheckOptions()) };
  }
  let confirmedAny = false;
  if (cmd.confirm !== undefined && !stopped && !failed) {
    const findings = await confirmFindings(report, launch, cmd.confirm.runs);
    report = { ...report, findings };
    confirmedAny = findings.some((f) => f.confirmed === true);
  }
  if (cmd.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    process.stderr.write(formatReport(report));
    if (cmd.confirm !== undefined) process.stderr.write(formatConfirmations(report, cmd.program));
  }
  if (killedWhy !== undefined) process.stderr.write(`threadlens: ${killedWhy}\n`);
  if (cmd.stats && !cmd.json) process.stderr.write(formatLockStats(report.lockStats ?? []));
  return exitCodeOf(report, stopped || confirmedAny, failed);
}

function fixCheckOptions(): FixCheckOptions {
  return {
    cwd: process.cwd().split(path.sep).join("/"),
    readFile: (file) => {
      try {
        return readFileSync(file, "utf8");
      } catch {
        return undefined;
      }
    },
  };
}
