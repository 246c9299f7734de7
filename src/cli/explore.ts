// `threadlens explore` (DESIGN 8.1): reruns the program under randomized schedules (PCT or a
// random walk; run i uses seed + i) until a run deadlocks, hangs or fails, and reports that run
// like `run` does, with the schedule that replays it and what was explored.
import { randomInt } from "node:crypto";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { formatReport } from "../analysis/humanReport.ts";
import { EXIT_FINDINGS } from "../launch/exitCodes.ts";
import { checkProgram, type ProgramLaunch } from "../launch/supervise.ts";
import { stopsProgram } from "../protocol/findingRules.ts";
import type { Explored, Report } from "../protocol/report.ts";
import { encodeSchedule, type RandomPlan } from "../protocol/schedule.ts";
import type { Command } from "./args.ts";
import { exitCodeOf } from "./runOnce.ts";
import { programFingerprint } from "../launch/schedules.ts";
import { runScheduled, withScheduleOf, type ScheduledOutcome } from "./schedules.ts";
import { shrinkSchedule, type Shrunk } from "./shrink.ts";

type ExploreCommand = Extract<Command, { command: "explore" }>;

/** PCT's first guess of a run's length in points; the runs' own counts replace it. */
const FIRST_STEPS_GUESS = 8;
/** How an uncaught error that ends a Thread or task is printed (thread.ts, task.ts). */
const THREAD_EXCEPTION = /^Exception in (thread|task) (.+):\n(.*)$/m;

/** Why a run is worth reporting, or undefined when it ended cleanly. */
export function failureOf(outcome: ScheduledOutcome, stderr: string): string | undefined {
  const { report } = outcome;
  if (outcome.stopped) {
    const blocking = report.findings.find((f) => f.kind !== "potential-deadlock");
    return blocking === undefined ? "was stopped" : `was stopped: ${blocking.kind}`;
  }
  if (outcome.failed) return "made threadlens fail";
  const ended = report.findings.find((f) => stopsProgram(f.kind));
  if (ended !== undefined) return `ended with a ${ended.kind}`;
  if (report.exitCode !== null && report.exitCode !== 0)
    return `failed with exit code ${report.exitCode}`;
  const thrown = THREAD_EXCEPTION.exec(stderr);
  if (thrown !== null) return `threw in ${thrown[1]} ${thrown[2]}: ${thrown[3]}`;
  return undefined;
}

/** Where the run's order depended on timing (a thread reached no point in time). */
function timingNote(outcome: ScheduledOutcome): string {
  const stalls = outcome.notes.flatMap((n) => (n.type === "stalled" ? [n] : []));
  const first = stalls[0];
  if (first === undefined) return "";
  return (
    `\n  note: at ${stalls.length} point(s) the order depended on timing (${first.waiter} went ` +
    `ahead of ${first.thread}, which reached no synchronization point in ${first.waitedMs} ms): ` +
    "a replay may take another turn there"
  );
}

function print(cmd: ExploreCommand, report: Report, summary: string): void {
  if (cmd.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stderr.write(`${formatReport(report)}${summary}\n`);
}

/** One run under `schedule`, the program's stderr kept in a file (an uncaught error in it). */
async function oneRun(
  launch: ProgramLaunch,
  schedule: string,
  timeoutMs: number,
): Promise<{ outcome: ScheduledOutcome; stderr: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-explore-"));
  const errFile = path.join(dir, "stderr.txt");
  const fd = openSync(errFile, "w");
  try {
    const outcome = await runScheduled(launch, schedule, timeoutMs, fd);
    return { outcome, stderr: readFileSync(errFile, "utf8") };
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function explore(cmd: ExploreCommand, distDir: string): Promise<number> {
  const file = path.resolve(cmd.program);
  checkProgram(file, cmd.program);
  const fingerprint = programFingerprint(file);
  const seed = cmd.seed ?? randomInt(0, 1_000_000_000);
  const what = `strategy ${cmd.strategy}, seed ${seed}`;
  if (!cmd.json) process.stderr.write(`threadlens explore: up to ${cmd.runs} runs, ${what}\n`);
  const launch: ProgramLaunch = {
    program: cmd.program,
    file,
    args: cmd.args,
    distDir,
    stdio: ["ignore", "ignore", "ignore"],
  };
  let steps = FIRST_STEPS_GUESS;
  let last: Report | undefined;
  for (let run = 0; run < cmd.runs; run++) {
    const plan: RandomPlan = {
      mode: cmd.strategy,
      seed: seed + run,
      depth: cmd.depth,
      steps,
      program: fingerprint,
    };
    let schedule = encodeSchedule(plan);
    const first = await oneRun(launch, schedule, cmd.timeoutMs);
    const { stderr } = first;
    let { outcome } = first;
    // PCT draws its change points over the length of a run: the longest one seen so far.
    for (const n of outcome.notes) if (n.type === "steps") steps = Math.max(steps, n.steps);
    const failure = failureOf(outcome, stderr);
    if (failure !== undefined) {
      let shrunk: Shrunk | undefined;
      if (cmd.shrink) {
        if (!cmd.json)
          process.stderr.write(
            `threadlens explore: run ${run + 1} ${failure}; shrinking its schedule\n`,
          );
        shrunk = await shrinkSchedule(
          plan,
          { outcome, stderr },
          failure,
          (token) => oneRun(launch, token, cmd.timeoutMs),
          (r) => failureOf(r.outcome, r.stderr),
        );
        if (shrunk !== undefined) ({ outcome, schedule } = shrunk);
      }
      const explored: Explored = {
        runs: run + 1,
        strategy: cmd.strategy,
        seed,
        failure,
        ...(shrunk === undefined ? {} : { shrunk: shrinkSummary(shrunk) }),
      };
      const report = { ...withScheduleOf(outcome.report, schedule), explored };
      print(
        cmd,
        report,
        `threadlens explore: run ${run + 1} of ${cmd.runs} (${what}) ${failure}\n` +
          shrinkNote(cmd.shrink, shrunk) +
          `  replay it: threadlens run ${cmd.program} --schedule ${schedule}` +
          timingNote(outcome),
      );
      const code = exitCodeOf(report, outcome.stopped, outcome.failed);
      // A run that threw in a thread but ended with exit 0 still found something.
      return code === 0 ? EXIT_FINDINGS : code;
    }
    last = outcome.report;
  }
  const explored: Explored = { runs: cmd.runs, strategy: cmd.strategy, seed };
  const report: Report = {
    ...(last ?? emptyReport(cmd.program)),
    // Findings of a clean run (a potential deadlock) are not what explore looks for.
    findings: [],
    explored,
  };
  print(
    cmd,
    report,
    `threadlens explore: ${cmd.runs} runs (${what}): none deadlocked, hung or failed`,
  );
  return 0;
}

function shrinkSummary(shrunk: Shrunk): NonNullable<Explored["shrunk"]> {
  const { from, to, reruns, switches } = shrunk;
  return { from, to, reruns, switches };
}

function shrinkNote(asked: boolean, shrunk: Shrunk | undefined): string {
  if (!asked) return "";
  if (shrunk === undefined)
    return "  not shrunk: its forced switches alone did not fail alike (the order depended on timing)\n";
  const lines = shrunk.switches.map((s) => `\n    switch: ${s}`).join("");
  return (
    `  shrunk to ${shrunk.to} forced switch(es) of ${shrunk.from} (${shrunk.reruns} reruns); ` +
    `the shrunk schedule replayed the failure:${lines}\n`
  );
}

function emptyReport(program: string): Report {
  return { version: 1, program, exitCode: 0, threads: [], findings: [], droppedEvents: 0 };
}
