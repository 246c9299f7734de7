// `threadlens explore` (DESIGN 8.1): reruns the program under randomized schedules (PCT or a
// random walk, seeded: run i uses seed + i) until a run deadlocks, hangs or fails, and reports
// that run like `run` does, with the schedule that replays it and what was explored.
import { randomInt } from "node:crypto";
import path from "node:path";
import { formatReport } from "../analysis/humanReport.ts";
import type { Report } from "../protocol/report.ts";
import { encodeSchedule } from "../protocol/schedule.ts";
import type { Command } from "./args.ts";
import { exitCodeOf } from "./run.ts";
import {
  programFingerprint,
  runScheduled,
  withScheduleOf,
  type ScheduledOutcome,
} from "./schedules.ts";
import { checkProgram, type ProgramLaunch } from "./supervise.ts";

type ExploreCommand = Extract<Command, { command: "explore" }>;

/** PCT's first guess of a run's length in points; each run's count refines it. */
const FIRST_STEPS_GUESS = 20;

/** A run worth reporting: stopped (deadlock, hang, timeout) or failed (non-zero exit). */
function failed(outcome: ScheduledOutcome): boolean {
  return outcome.stopped || (outcome.report.exitCode !== null && outcome.report.exitCode !== 0);
}

function print(cmd: ExploreCommand, report: Report, summary: string): void {
  if (cmd.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stderr.write(`${formatReport(report)}${summary}\n`);
}

export async function explore(cmd: ExploreCommand, distDir: string): Promise<number> {
  const file = path.resolve(cmd.program);
  checkProgram(file, cmd.program);
  const fingerprint = programFingerprint(file);
  const seed = cmd.seed ?? randomInt(0, 1_000_000_000);
  const what = `strategy ${cmd.strategy}, seed ${seed}`;
  process.stderr.write(`threadlens explore: up to ${cmd.runs} runs, ${what}\n`);
  const launch: ProgramLaunch = {
    program: cmd.program,
    file,
    args: cmd.args,
    distDir,
    stdio: ["ignore", "ignore", "ignore"],
  };
  let steps = FIRST_STEPS_GUESS;
  let last: ScheduledOutcome | undefined;
  for (let run = 0; run < cmd.runs; run++) {
    const schedule = encodeSchedule({
      mode: cmd.strategy,
      seed: seed + run,
      depth: cmd.depth,
      steps,
      program: fingerprint,
    });
    const outcome = await runScheduled(launch, schedule, cmd.timeoutMs);
    for (const n of outcome.notes) if (n.type === "steps") steps = Math.max(steps, n.steps);
    const explored = { runs: run + 1, strategy: cmd.strategy, seed };
    if (failed(outcome)) {
      const report = { ...withScheduleOf(outcome.report, schedule), explored };
      print(
        cmd,
        report,
        `threadlens explore: run ${run + 1} (${what}) ${outcome.stopped ? "was stopped" : `failed with exit code ${outcome.report.exitCode}`}\n  replay it: threadlens run ${cmd.program} --schedule ${schedule}`,
      );
      return exitCodeOf(report, outcome.stopped);
    }
    last = outcome;
  }
  const explored = { runs: cmd.runs, strategy: cmd.strategy, seed };
  const report: Report = { ...(last?.report ?? emptyReport(cmd.program)), explored };
  print(
    cmd,
    report,
    `threadlens explore: ${cmd.runs} runs (${what}): none deadlocked, hung or failed`,
  );
  return exitCodeOf(report, false);
}

function emptyReport(program: string): Report {
  return { version: 1, program, exitCode: 0, threads: [], findings: [], droppedEvents: 0 };
}
