// The pure half of diagnostics.ts (no vscode, so the unit tests check it): which diagnostics a
// set of findings becomes. One per marked site of a finding, at its TypeScript line; errors for
// deadlocks that happened (and predicted ones a rerun confirmed), warnings for predicted ones
// and misuse; related information at the finding's other sites; paths resolved against the
// run's working directory. Also the findings as the Threads view lists them (each site a link).
import path from "node:path";
import { stopsProgram } from "../protocol/findingRules.ts";
import type { Finding, FindingKind, FindingSite } from "../protocol/report.ts";
import { confirmedMessage } from "./confirmPlan.ts";
import { DIAGNOSTIC_CODES } from "./ids.ts";
import type { FindingSummary, SourceLocation } from "./webviewMessages.ts";

/** Where findings come from: a run that happened, or the static analyzer. */
export type FindingOrigin = "run" | "static";

/** Site roles worth a squiggle (creation sites only appear as related information). */
const MARKED_ROLES: ReadonlySet<FindingSite["role"]> = new Set([
  "holds",
  "waits",
  "acquires",
  "held",
  "misuse",
]);

export const ROLE_TEXT: Readonly<Record<FindingSite["role"], string>> = {
  holds: "holds a lock taken here",
  waits: "waits here",
  acquires: "acquires here while holding another",
  held: "took the other lock here",
  created: "created here",
  misuse: "misuse here",
};

export interface PlannedRelated {
  readonly location: SourceLocation;
  readonly message: string;
}

export interface PlannedDiagnostic {
  /** Absolute file, 1-based line and column. */
  readonly location: SourceLocation;
  readonly message: string;
  readonly severity: "error" | "warning";
  readonly code: string;
  readonly related: readonly PlannedRelated[];
  readonly finding: Finding;
}

/** Errors for what happened in a run: a blocking finding, or a potential deadlock confirmed. */
export function severityOf(
  kind: FindingKind,
  origin: FindingOrigin,
  confirmed = false,
): "error" | "warning" {
  if (origin !== "run") return "warning";
  // The kinds that stop a run (the program was stuck) are errors: one table says which.
  return stopsProgram(kind) || (kind === "potential-deadlock" && confirmed) ? "error" : "warning";
}

export function siteLocation(site: FindingSite, cwd: string): SourceLocation {
  return { file: path.resolve(cwd, site.file), line: site.line, column: site.column };
}

function sameSite(a: FindingSite, b: FindingSite): boolean {
  return a.file === b.file && a.line === b.line && a.column === b.column && a.role === b.role;
}

/**
 * What one site of a finding says in one line: for a deadlock's sites that name their lock,
 * who waits for it or who holds it ("worker-1 waits here for lockB, held by worker-4"); for
 * others, the thread's role here and the finding's message.
 */
export function siteMessage(finding: Finding, site: FindingSite): string {
  const lock = site.lock;
  if (lock !== undefined && (site.role === "waits" || site.role === "holds")) {
    const others = (role: FindingSite["role"]): string[] => [
      ...new Set(
        finding.sites
          .filter((s) => s.role === role && s.lock === lock && s.thread !== site.thread)
          .map((s) => s.thread),
      ),
    ];
    if (site.role === "waits") {
      const holders = others("holds");
      const ownHold = finding.sites.some(
        (s) => s.role === "holds" && s.lock === lock && s.thread === site.thread,
      );
      if (holders.length > 0)
        return `${site.thread} waits here for ${lock}, held by ${holders.join(", ")}`;
      if (ownHold) return `${site.thread} waits here for ${lock}, which it holds itself`;
      return `${site.thread} waits here for ${lock}`;
    }
    const waiters = others("waits");
    if (waiters.length > 0) {
      const verb = waiters.length === 1 ? "waits" : "wait";
      return `${site.thread} holds ${lock} from here; ${waiters.join(", ")} ${verb} for it`;
    }
    return `${site.thread} holds ${lock} from here`;
  }
  return `${site.thread ? `${site.thread} ${ROLE_TEXT[site.role]}: ` : ""}${finding.message}`;
}

/** How another site of the finding is listed under a diagnostic (the cycle, step by step). */
function relatedMessage(finding: Finding, site: FindingSite): string {
  if (site.lock !== undefined) return siteMessage(finding, site);
  return `${site.thread ? `${site.thread} ` : ""}${ROLE_TEXT[site.role]}`;
}

/** The diagnostics of `findings`: one per marked site and finding. */
export function planDiagnostics(
  findings: readonly Finding[],
  origin: FindingOrigin,
  cwd: string,
): PlannedDiagnostic[] {
  const planned: PlannedDiagnostic[] = [];
  const seen = new Set<string>();
  findings.forEach((finding, index) => {
    for (const site of finding.sites) {
      if (!MARKED_ROLES.has(site.role)) continue;
      const location = siteLocation(site, cwd);
      const code = DIAGNOSTIC_CODES[finding.kind];
      // Findings of one kind that repeat one another (the same message) count as one.
      const key = JSON.stringify([location.file, location.line, location.column, code, index]);
      const message =
        finding.confirmed === true && origin === "run"
          ? confirmedMessage(finding, `${site.thread} ${ROLE_TEXT[site.role]}`)
          : siteMessage(finding, site);
      const same = JSON.stringify([location.file, location.line, code, message]);
      if (seen.has(key) || seen.has(same)) continue;
      seen.add(key);
      seen.add(same);
      planned.push({
        location,
        message,
        severity: severityOf(finding.kind, origin, finding.confirmed === true),
        code,
        finding,
        related: finding.sites
          .filter((other) => !sameSite(other, site))
          .map((other) => ({
            location: siteLocation(other, cwd),
            message: relatedMessage(finding, other),
          })),
      });
    }
  });
  return planned;
}

/** The findings as the Threads view lists them, each site with its label and location. */
export function findingSummaries(findings: readonly Finding[], cwd: string): FindingSummary[] {
  return findings.map((f) => ({
    kind: f.kind,
    message: f.message,
    sites: f.sites.map((site) => ({
      label: `${site.thread ? `${site.thread} ` : ""}${ROLE_TEXT[site.role]} (${path.basename(site.file)}:${site.line})`,
      location: siteLocation(site, cwd),
    })),
  }));
}
