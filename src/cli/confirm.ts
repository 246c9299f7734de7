// `threadlens run --confirm` (DESIGN 8.1): each potential deadlock of the run is rerun under a
// directed schedule (the runtime's schedule/directed.ts holds every thread of the cycle at its
// second acquisition until all hold their first lock). A rerun that deadlocks on the same
// locks confirms it; a hold given up because a thread of the cycle was blocked elsewhere (an
// Event the held thread sets, a join) says why the cycle cannot close, and ends the reruns.
import type { Finding, Report } from "../protocol/report.ts";
import { encodeSchedule, type ScheduleNote } from "../protocol/schedule.ts";
import { programFingerprint } from "../launch/schedules.ts";
import { runScheduled } from "./schedules.ts";
import type { ProgramLaunch } from "../launch/supervise.ts";

/** How long held threads wait for the rest of the cycle (no new arrival) before giving up. */
const HOLD_MS = 1000;
/** A rerun that neither deadlocks nor ends by then is stopped (it is not the confirmation). */
const RERUN_TIMEOUT_MS = 30_000;

function sameLocks(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((name) => set.has(name));
}

type GaveUp = Extract<ScheduleNote, { type: "gave-up" }>;

/** Why the cycle could not close, from the scheduler's note; `ordered`: it never will. */
function explain(gaveUp: GaveUp): { reason: string; ordered: boolean } {
  const held = gaveUp.held.map((h) => `${h.thread} (${h.at})`).join(", ");
  const missing = gaveUp.missing.map((m) => `${m.thread} was ${m.at}`).join("; ");
  const blockers = gaveUp.missing.filter((m) => /^(waiting on|joining|getting from) /.test(m.at));
  const ordered = blockers.length > 0 && blockers.length === gaveUp.missing.length;
  const because = ordered
    ? `: the segments are ordered by ${blockers.map((m) => m.at.replace(/^(waiting on|joining|getting from) /, "")).join(", ")}, so the cycle cannot close`
    : "";
  return {
    reason: `while ${held === "" ? "no thread" : held} was held for ${gaveUp.waitedMs} ms, ${missing}${because}`,
    ordered,
  };
}

async function confirmOne(
  finding: Finding,
  launch: ProgramLaunch,
  runs: number,
  fingerprint: string,
): Promise<Finding> {
  const schedule = encodeSchedule({
    mode: "directed",
    threads: finding.threads,
    locks: finding.locks,
    holdMs: HOLD_MS,
    program: fingerprint,
  });
  let reason: string | undefined;
  for (let rerun = 1; rerun <= runs; rerun++) {
    const outcome = await runScheduled(launch, schedule, RERUN_TIMEOUT_MS);
    const deadlocked = outcome.report.findings.some(
      (f) => f.kind === "deadlock" && sameLocks(f.locks, finding.locks),
    );
    if (outcome.stopped && deadlocked) {
      return { ...finding, confirmed: true, schedule, confirmation: { reruns: rerun } };
    }
    const gaveUp = outcome.notes.find((n): n is GaveUp => n.type === "gave-up");
    if (gaveUp !== undefined) {
      const explained = explain(gaveUp);
      reason = explained.reason;
      if (explained.ordered) {
        return { ...finding, confirmed: false, confirmation: { reruns: rerun, reason } };
      }
    } else if (outcome.notes.some((n) => n.type === "released")) {
      reason =
        "every thread of the cycle held its first lock, and still the acquisitions did not block (a timeout, or a lock released before the second acquisition)";
    } else if (reason === undefined) {
      reason = "the threads of the cycle did not reach their acquisitions in the reruns";
    }
  }
  return { ...finding, confirmed: false, confirmation: { reruns: runs, reason } };
}

/** The report's findings, each potential deadlock confirmed or not. */
export async function confirmFindings(
  report: Report,
  launch: ProgramLaunch,
  runs: number,
): Promise<Finding[]> {
  const fingerprint = programFingerprint(launch.file);
  const out: Finding[] = [];
  for (const finding of report.findings) {
    out.push(
      finding.kind === "potential-deadlock"
        ? await confirmOne(finding, launch, runs, fingerprint)
        : finding,
    );
  }
  return out;
}

/** The human report's lines for `--confirm`. */
export function formatConfirmations(report: Report, program: string): string {
  let text = "";
  for (const f of report.findings) {
    if (f.kind !== "potential-deadlock" || f.confirmed === undefined) continue;
    const what = `${f.locks.join(" ↔ ")} (${f.threads.join(", ")})`;
    const reruns = f.confirmation?.reruns ?? 0;
    if (f.confirmed) {
      text += `CONFIRMED: potential deadlock ${what} deadlocked when rerun with a directed schedule (rerun ${reruns}).\n`;
      text += `  replay it: threadlens run ${program} --schedule ${f.schedule ?? ""}\n`;
    } else {
      text += `not confirmed: potential deadlock ${what}: ${reruns} rerun(s) did not deadlock`;
      text += f.confirmation?.reason === undefined ? ".\n" : `: ${f.confirmation.reason}.\n`;
    }
  }
  return text;
}
