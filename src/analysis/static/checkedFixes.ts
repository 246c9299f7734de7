// Fixes that fix (DESIGN 5.4, issue 11): every edit a finding offers is re-analysed on the
// edited text before it is offered. The edit is applied to its file's text in memory and the
// static lock-order analysis runs on the changed file; an edit after which the file still
// takes the finding's locks in both orders (or takes a non-reentrant lock again while holding
// it, or shows a cycle it did not have) is withheld: the suggestion stays, as a message that
// says why. The run's own lock-order graph is checked where the finding is made
// (analysis/fixChecks.ts); this is the part that needs the compiler, run by the front ends
// (`threadlens run` and `threadlens check`).
import type { Finding, Suggestion } from "../../protocol/report.ts";
import { applyTextEdit } from "../sourceEdits.ts";
import { checkSources } from "./index.ts";

export interface FixCheckOptions {
  /** Finding paths (and edit files) are relative to this directory (forward slashes). */
  readonly cwd: string;
  /** A file's text by absolute path, undefined when it cannot be read. */
  readonly readFile: (path: string) => string | undefined;
  /**
   * Time for the re-analyses of one file's edits (ms, default 10 s): each is an analysis of
   * the whole file, and a large file with a thousand findings took minutes. Edits left when it
   * is spent are withheld, saying so.
   */
  readonly budgetMs?: number;
}

export const FIX_CHECK_BUDGET_MS = 10_000;

/** What the re-analyses of one call share: per file, the unedited file's problems, the time. */
interface FixCheckRun {
  readonly options: FixCheckOptions;
  readonly before: Map<string, Set<string>>;
  readonly spent: Map<string, number>;
}

const CHECKED_KINDS = new Set(["deadlock", "potential-deadlock", "self-deadlock"]);

function absolute(file: string, cwd: string): string {
  if (file.startsWith("/") || /^[A-Za-z]:\//.test(file)) return file;
  return `${cwd.replace(/\/$/, "")}/${file}`;
}

/** The static findings' cycles and re-acquisitions, as comparable keys. */
function problemKeys(findings: readonly Finding[]): Set<string> {
  return new Set(
    findings
      .filter((f) => f.kind === "potential-deadlock" || f.kind === "self-deadlock")
      .map((f) => `${f.kind}:${[...f.locks].sort().join(",")}`),
  );
}

function keyOf(finding: Finding): string {
  const kind = finding.kind === "self-deadlock" ? "self-deadlock" : "potential-deadlock";
  return `${kind}:${[...finding.locks].sort().join(",")}`;
}

/** Why the edit is withheld, or undefined when the edited file passes the re-analysis. */
function verdict(finding: Finding, suggestion: Suggestion, check: FixCheckRun): string | undefined {
  const { options } = check;
  const edit = suggestion.edit;
  if (edit === undefined) return undefined;
  const file = absolute(edit.file, options.cwd);
  const budget = options.budgetMs ?? FIX_CHECK_BUDGET_MS;
  if ((check.spent.get(file) ?? 0) >= budget) {
    return `not re-analysed: the ${budget / 1000} s of re-analysis for its file are spent`;
  }
  const text = options.readFile(file);
  if (text === undefined) return "its file cannot be read to check it";
  const edited = applyTextEdit(text, edit);
  const run = (source: string): Set<string> => {
    const started = performance.now();
    const keys = problemKeys(
      checkSources({
        files: [file],
        readFile: (p) => (p === file ? source : options.readFile(p)),
        cwd: options.cwd,
      }).findings,
    );
    check.spent.set(file, (check.spent.get(file) ?? 0) + performance.now() - started);
    return keys;
  };
  const after = run(edited);
  if (after.has(keyOf(finding))) {
    return finding.kind === "self-deadlock"
      ? "re-analysed, the edited code still takes the lock again while holding it"
      : `re-analysed, the edited code still takes ${finding.locks.join(" and ")} in both orders`;
  }
  // The unedited file's problems, once per file.
  let before = check.before.get(file);
  if (before === undefined) {
    before = run(text);
    check.before.set(file, before);
  }
  const added = [...after].filter((k) => !before.has(k));
  if (added.length > 0) return "re-analysed, the edited code has a lock-order problem of its own";
  return undefined;
}

/** The findings with every edit re-analysed; an edit that does not fix is withheld. */
export function checkFixEdits(findings: readonly Finding[], options: FixCheckOptions): Finding[] {
  const check: FixCheckRun = { options, before: new Map(), spent: new Map() };
  return findings.map((finding) => {
    if (!CHECKED_KINDS.has(finding.kind)) return finding;
    if (!finding.suggestions.some((s) => s.edit !== undefined)) return finding;
    const suggestions = finding.suggestions.map((s) => {
      const why = verdict(finding, s, check);
      if (why === undefined) return s;
      return { kind: s.kind, message: `${s.message} (no edit: ${why})` };
    });
    return { ...finding, suggestions };
  });
}
