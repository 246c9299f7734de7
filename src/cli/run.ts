// `threadlens run`: runs the program under the preload and its recorder, relays the program's
// output, stops it when the recorder reports it blocked, and turns the recorder's report into
// the exit code, the human report and the JSON (DESIGN section 8).
import path from "node:path";
import { formatReport } from "../analysis/humanReport.ts";
import { formatLockStats } from "../analysis/lockStatsText.ts";
import type { Finding, Report } from "../protocol/report.ts";
import type { Command } from "./args.ts";
import { EXIT_BLOCKED, EXIT_FINDINGS } from "../launch/exitCodes.ts";
import { StartError, checkProgram, superviseProgram } from "../launch/supervise.ts";

export { StartError };

type RunCommand = Extract<Command, { command: "run" }>;

function exitCodeOf(report: Report, blocked: boolean): number {
  if (blocked) return EXIT_BLOCKED;
  if (report.findings.length > 0) return EXIT_FINDINGS;
  return report.exitCode ?? 0;
}

/** The report when the recorder could not give one (the program was killed or crashed hard). */
function fallbackReport(program: string, exitCode: number | null, findings: Finding[]): Report {
  return { version: 1, program, exitCode, threads: [], findings, droppedEvents: 0 };
}

export async function run(cmd: RunCommand, distDir: string): Promise<number> {
  const file = path.resolve(cmd.program);
  checkProgram(file, cmd.program);
  const findings: Finding[] = [];
  let blocked: Report | undefined;
  let final: Report | undefined;
  const program = superviseProgram(
    {
      program: cmd.program,
      file,
      args: cmd.args,
      distDir,
      traceFile: cmd.trace,
      timeoutMs: cmd.timeoutMs,
      // With --json, stdout carries only the JSON report: the program's output goes to stderr.
      stdio: ["inherit", cmd.json ? 2 : "inherit", "inherit"],
    },
    (message) => {
      if (message.type === "finding") findings.push(message.finding);
      else if (message.type === "report") final = message.report;
      else if (message.type === "blocked" && blocked === undefined) {
        blocked = message.report;
        program.child.kill("SIGKILL");
      }
    },
  );
  // Backstop: if the recorder cannot stop a program at its timeout, this does.
  const backstop =
    cmd.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          if (blocked === undefined) program.child.kill("SIGKILL");
        }, cmd.timeoutMs + 5000);
  const { code, signal } = await program.ended;
  if (backstop !== undefined) clearTimeout(backstop);
  const stoppedReport = blocked as Report | undefined;
  const report: Report =
    stoppedReport ??
    final ??
    fallbackReport(cmd.program, code ?? (signal === null ? null : 128), findings);
  if (cmd.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stderr.write(formatReport(report));
  if (cmd.stats && !cmd.json) process.stderr.write(formatLockStats(report.lockStats ?? []));
  return exitCodeOf(report, stoppedReport !== undefined);
}
