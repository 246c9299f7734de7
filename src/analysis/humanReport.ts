// The human report of `threadlens run` and of the preload, in the style of ThreadSanitizer's:
// a banner per finding, what each thread holds and waits for with its sites, where the
// primitives were created, and the suggested fixes.
import { FINDING_RULES } from "../protocol/findingRules.ts";
import type { Finding, FindingSite, Report } from "../protocol/report.ts";

const RULE = "==================";

function siteLine(site: FindingSite): string {
  const what: Record<FindingSite["role"], string> = {
    holds: "holds, acquired at",
    waits: "blocked at",
    acquires: "acquires at",
    held: "while holding, acquired at",
    created: "created at",
    misuse: "at",
  };
  return `    ${site.thread}: ${what[site.role]} ${site.file}:${site.line}:${site.column}`;
}

export function formatFinding(finding: Finding): string {
  const severity = FINDING_RULES[finding.kind].severity;
  const lines = [RULE, `${severity}: threadlens: ${finding.kind}`, `  ${finding.message}`];
  if (finding.locks.length > 0) lines.push(`  primitives: ${finding.locks.join(", ")}`);
  if (finding.threads.length > 0) lines.push(`  threads: ${finding.threads.join(", ")}`);
  const byThread = new Map<string, FindingSite[]>();
  for (const site of finding.sites) {
    const list = byThread.get(site.thread) ?? [];
    list.push(site);
    byThread.set(site.thread, list);
  }
  for (const [thread, sites] of byThread) {
    lines.push(`  thread ${thread}:`);
    for (const site of sites) lines.push(siteLine(site));
  }
  for (const suggestion of finding.suggestions) {
    lines.push(`  fix (${suggestion.kind}): ${suggestion.message}`);
    for (const r of suggestion.edit?.replacements ?? []) {
      lines.push(
        `    edit ${suggestion.edit?.file}:${r.line}:${r.column}: ${JSON.stringify(r.newText)}`,
      );
    }
  }
  lines.push(RULE);
  return lines.join("\n");
}

export function formatReport(report: Report): string {
  const parts = report.findings.map(formatFinding);
  const blocked = report.threads.filter((t) => t.state === "blocked");
  if (blocked.length > 0) {
    const stacks = ["threads at the stop:"];
    for (const t of report.threads) {
      stacks.push(`  ${t.name} (${t.kind}, ${t.state})`);
      for (const f of t.stack)
        stacks.push(`    at ${f.function || "<anonymous>"} (${f.file}:${f.line}:${f.column})`);
    }
    parts.push(stacks.join("\n"));
  }
  for (const p of report.cutProcesses ?? []) {
    parts.push(
      `threadlens: process ${p.name} (pid ${p.pid}) died without exiting (a signal or a crash): ` +
        "its recording ends with its recorder's last drain, up to 5 ms before its death",
    );
  }
  const n = report.findings.length;
  parts.push(
    `threadlens: ${n === 0 ? "no findings" : `${n} finding${n === 1 ? "" : "s"}`}` +
      (report.droppedEvents > 0
        ? ` (${report.droppedEvents} events dropped: the analysis may be incomplete)`
        : ""),
  );
  return `${parts.join("\n")}\n`;
}
