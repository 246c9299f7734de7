// `threadlens run`: runs the program under the preload and its recorder, relays the program's
// output, stops it when the recorder reports it blocked, and turns the recorder's report into
// the exit code, the human report and the JSON (DESIGN section 8). `--schedule` replays a
// controlled schedule and `--confirm` reruns potential deadlocks under directed schedules
// (DESIGN 8.1, schedules.ts).
import path from "node:path";
import { formatReport } from "../analysis/humanReport.ts";
import type { Finding, Report } from "../protocol/report.ts";
import type { Command } from "./args.ts";
import { confirmFindings, formatConfirmations } from "./confirm.ts";
import { replayEnv, withScheduleOf } from "./schedules.ts";
import { EXIT_BLOCKED, EXIT_FINDINGS } from "../launch/exitCodes.ts";
import {
  StartError,
  checkProgram,
  superviseProgram,
  type ProgramLaunch,
} from "../launch/supervise.ts";

export { StartError };

type RunCommand = Extract<Command, { command: "run" }>;

export function exitCodeOf(report: Report, blocked: boolean): number {
  if (blocked) return EXIT_BLOCKED;
  if (report.findings.length > 0) return EXIT_FINDINGS;
  return report.exitCode ?? 0;
}

/** The report when the recorder could not give one (the program was killed or crashed hard). */
function fallbackReport(program: string, exitCode: number | null, findings: Finding[]): Report {
  return { version: 1, program, exitCode, threads: [], findings, droppedEvents: 0 };
}

export interface RunOutcome {
  readonly report: Report;
  /** The recorder stopped the program (deadlock, hang, timeout). */
  readonly stopped: boolean;
}

/** Runs the program once under the recorder and returns its report. */
export async function runToReport(launch: ProgramLaunch): Promise<RunOutcome> {
  const findings: Finding[] = [];
  let blocked: Report | undefined;
  let final: Report | undefined;
  const program = superviseProgram(launch, (message) => {
    if (message.type === "finding") findings.push(message.finding);
    else if (message.type === "report") final = message.report;
    else if (message.type === "blocked" && blocked === undefined) {
      blocked = message.report;
      program.child.kill("SIGKILL");
    }
  });
  // Backstop: if the recorder cannot stop a program at its timeout, this does.
  const backstop =
    launch.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          if (blocked === undefined) program.child.kill("SIGKILL");
        }, launch.timeoutMs + 5000);
  const { code, signal } = await program.ended;
  if (backstop !== undefined) clearTimeout(backstop);
  const stoppedReport = blocked as Report | undefined;
  const report: Report =
    stoppedReport ??
    final ??
    fallbackReport(launch.program, code ?? (signal === null ? null : 128), findings);
  return { report, stopped: stoppedReport !== undefined };
}

export async function run(cmd: RunCommand, distDir: string): Promise<number> {
  const file = path.resolve(cmd.program);
  checkProgram(file, cmd.program);
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
  const outcome = await runToReport(
    replay?.env === undefined ? launch : { ...launch, env: { ...process.env, ...replay.env } },
  );
  const { stopped } = outcome;
  let { report } = outcome;
  if (replay?.env !== undefined && cmd.schedule !== undefined) {
    report = withScheduleOf(report, cmd.schedule);
  }
  let confirmedAny = false;
  if (cmd.confirm !== undefined && !stopped) {
    const findings = await confirmFindings(report, launch, cmd.confirm.runs);
    report = { ...report, findings };
    confirmedAny = findings.some((f) => f.confirmed === true);
  }
  if (cmd.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    process.stderr.write(formatReport(report));
    if (cmd.confirm !== undefined) process.stderr.write(formatConfirmations(report, cmd.program));
  }
  return exitCodeOf(report, stopped || confirmedAny);
}
