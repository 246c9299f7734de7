// The pure half of "Confirm by rerunning" (DESIGN 8.1, confirmAction.ts runs it): which
// schedule actions a diagnostic offers, the `threadlens run --confirm --json` command line, and
// what its report says about the diagnostic's potential deadlock: confirmed (with the schedule
// that makes it happen), not confirmed (and why), or no answer at all.
import path from "node:path";
import type { Finding, Report } from "../protocol/report.ts";
import { DIAGNOSTIC_CODES } from "./ids.ts";

/** What a diagnostic of a finding can offer besides its fixes. */
export type ScheduleAction = "confirm" | "replay";

/**
 * A potential deadlock not yet confirmed offers to confirm it by rerunning; a finding that
 * carries a schedule (a confirmed one, a replayed deadlock) offers to replay it under the
 * debugger. Matched on the diagnostic's code, so a static warning and a run's finding alike.
 */
export function scheduleActions(
  code: string | undefined,
  finding: Pick<Finding, "confirmed" | "schedule"> | undefined,
): ScheduleAction[] {
  const actions: ScheduleAction[] = [];
  if (code === DIAGNOSTIC_CODES["potential-deadlock"] && finding?.confirmed !== true)
    actions.push("confirm");
  if (finding?.schedule !== undefined && finding.schedule !== "") actions.push("replay");
  return actions;
}

export interface ConfirmInvocation {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * `threadlens run <program> --confirm --json`, by the CLI of `distDir`, from `cwd` (the report's
 * paths are relative to it). Inside an editor built on Electron the CLI runs under `node` from
 * PATH (as the debug adapter's programs do); else under this very node.
 */
export function confirmInvocation(options: {
  readonly distDir: string;
  readonly program: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly execPath: string;
  readonly electron: boolean;
}): ConfirmInvocation {
  const env: NodeJS.ProcessEnv = { ...options.env };
  // The editor's own settings must not leak into the program.
  delete env["ELECTRON_RUN_AS_NODE"];
  delete env["NODE_OPTIONS"];
  delete env["NODE_TEST_CONTEXT"];
  return {
    command: options.electron ? "node" : options.execPath,
    args: [
      path.join(options.distDir, "cli.js"),
      "run",
      path.relative(options.cwd, options.program) || options.program,
      "--confirm",
      "--json",
    ],
    cwd: options.cwd,
    env,
  };
}

/** The diagnostic the action was asked on: its file (absolute), 1-based line, its finding. */
export interface ConfirmTarget {
  readonly file: string;
  readonly line: number;
  /** The finding behind the diagnostic, when known (its locks pick the report's finding). */
  readonly locks?: readonly string[];
}

export type ConfirmOutcome =
  | {
      readonly type: "confirmed";
      /** The report's finding, `confirmed: true`, with its schedule. */
      readonly finding: Finding;
      readonly schedule: string;
      /** Every finding of the confirming run (they replace the run's diagnostics). */
      readonly findings: readonly Finding[];
    }
  | { readonly type: "not-confirmed"; readonly message: string };

function sameLocks(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((name) => set.has(name));
}

/** The report's potential deadlock that the diagnostic is about, if the run found it. */
export function matchingFinding(
  report: Pick<Report, "findings">,
  target: ConfirmTarget,
  cwd: string,
): Finding | undefined {
  const candidates = report.findings.filter((f) => f.kind === "potential-deadlock");
  const atLine = candidates.find((f) =>
    f.sites.some((s) => s.line === target.line && path.resolve(cwd, s.file) === target.file),
  );
  if (atLine !== undefined) return atLine;
  const locks = target.locks;
  if (locks !== undefined && locks.length > 0) {
    const sameSet = candidates.find((f) => sameLocks(f.locks, locks));
    if (sameSet !== undefined) return sameSet;
  }
  return candidates.length === 1 ? candidates[0] : undefined;
}

/** The first line of the CLI's error output that says something (a start error's message). */
function firstMessage(stderr: string): string | undefined {
  return stderr
    .split("\n")
    .map((line) => line.trim())
    .find((line) => line.startsWith("threadlens") || line.startsWith("Error"));
}

/**
 * What the confirm run says about the target: its stdout (the JSON report), stderr and exit
 * code. Exit 2 with the target's finding confirmed is a confirmation; anything else is not,
 * with the report's reason, or the CLI's error when there is no report.
 */
export function parseConfirmOutput(
  stdout: string,
  stderr: string,
  exitCode: number | null,
  target: ConfirmTarget,
  cwd: string,
): ConfirmOutcome {
  const program = path.basename(target.file);
  let report: Report;
  try {
    report = JSON.parse(stdout) as Report;
    if (!Array.isArray(report.findings)) throw new Error("no findings");
  } catch {
    const why = firstMessage(stderr) ?? `threadlens exited with code ${exitCode ?? "?"}`;
    return { type: "not-confirmed", message: `Could not rerun ${program}: ${why}` };
  }
  const found = matchingFinding(report, target, cwd);
  if (found === undefined) {
    const blocked = report.findings.find((f) => f.kind === "deadlock" || f.kind === "hang");
    const why =
      blocked !== undefined
        ? `the first run itself blocked (${blocked.kind}), so there was nothing to rerun`
        : "a run of it did not take these locks in both orders (is it the program's entry point?)";
    return {
      type: "not-confirmed",
      message: `The potential deadlock could not be confirmed by rerunning ${program}: ${why}.`,
    };
  }
  const what = `${found.locks.join(" ↔ ")} (${found.threads.join(", ")})`;
  if (found.confirmed === true && found.schedule !== undefined) {
    return {
      type: "confirmed",
      finding: found,
      schedule: found.schedule,
      findings: report.findings,
    };
  }
  const reruns = found.confirmation?.reruns ?? 0;
  const reason = found.confirmation?.reason;
  return {
    type: "not-confirmed",
    message:
      `The potential deadlock ${what} could not be confirmed: ${reruns} rerun(s) of ${program} ` +
      `with a directed schedule did not deadlock${reason === undefined ? "." : `: ${reason}.`}`,
  };
}

/** The message of a confirmed potential deadlock's diagnostic at one of its sites. */
export function confirmedMessage(finding: Finding, siteText: string): string {
  const reruns = finding.confirmation?.reruns;
  const when = reruns === undefined ? "" : ` (rerun ${reruns})`;
  return (
    `Confirmed deadlock ${finding.locks.join(" ↔ ")}: ${siteText}. It deadlocked when rerun ` +
    `with a directed schedule${when}; replay it with schedule ${finding.schedule ?? ""}`
  );
}
