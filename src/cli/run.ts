// `threadlens run`: runs the program under the preload and its recorder, relays the program's
// output, stops it when the recorder reports it blocked, and turns the recorder's report into
// the exit code, the human report and the JSON (DESIGN section 8). `--schedule` replays a
// controlled schedule and `--confirm` reruns potential deadlocks under directed schedules
// (DESIGN 8.1, confirm.ts and schedules.ts).
import { readFileSync } from "node:fs";
import { cacheDir, loadTypeScript } from "../protocol/codeCache.ts";
import path from "node:path";
import { formatReport } from "../analysis/humanReport.ts";
import { formatLockStats } from "../analysis/lockStatsText.ts";
import type { Command } from "./args.ts";
import { confirmFindings, formatConfirmations } from "./confirm.ts";
import { checkFixEditsOnce } from "./fixCheckCache.ts";
import { replayEnv, withScheduleOf } from "./schedules.ts";
import {
  StartError,
  checkOutputFile,
  checkProgramFile,
  checkSyntax,
  type ProgramLaunch,
} from "../launch/supervise.ts";
import { exitCodeOf, runToReport } from "./runOnce.ts";

export { StartError };

type RunCommand = Extract<Command, { command: "run" }>;

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
  // Every edit re-analysed on the edited text before it is offered (DESIGN 5.4), once per text
  // and edits (fixCheckCache.ts). The compiler is loaded on demand: it costs a short run (an
  // explore, a replay) a fifth of a second, a tenth with its code cache.
  report = {
    ...report,
    findings: await checkFixEditsOnce(report.findings, fixCheckOptions(), {
      dir: cacheDir,
      builds: [path.join(distDir, "cli.js"), require.resolve("typescript")],
      load: async () => {
        loadTypeScript(require.resolve("typescript"));
        return (await import("../analysis/static/checkedFixes.ts")).fixVerdicts;
      },
    }),
  };
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

function fixCheckOptions(): { cwd: string; readFile: (file: string) => string | undefined } {
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
