// The edits a report's findings offer, as the fix check (static/checkedFixes.ts) sees them, and
// its verdicts applied back to the findings: the part of the check that needs no compiler, so
// that a front end can tell whether there is anything to check, and recognise a check it has
// made before (cli/fixCheckCache.ts), without loading TypeScript.
import type { Finding, TextEdit } from "../protocol/report.ts";

const CHECKED_KINDS = new Set(["deadlock", "potential-deadlock", "self-deadlock"]);

/** One edit to check: suggestion `suggestion` of finding `finding`. */
export interface Candidate {
  readonly finding: number;
  readonly suggestion: number;
  /** The static problem the edit must remove (kind and sorted locks). */
  readonly key: string;
  readonly locks: readonly string[];
  readonly edit: TextEdit;
}

/** Why each edit is withheld, by `${finding}:${suggestion}`; an edit not in it passed. */
export type FixVerdicts = ReadonlyMap<string, string | undefined>;

export function verdictKey(c: Pick<Candidate, "finding" | "suggestion">): string {
  return `${c.finding}:${c.suggestion}`;
}

function absolute(file: string, cwd: string): string {
  if (file.startsWith("/") || /^[A-Za-z]:\//.test(file)) return normalized(file);
  return normalized(`${cwd.replace(/\/$/, "")}/${file}`);
}

/**
 * Without `.` and `..` segments: the program knows a file by its normalized path, and an edit
 * of a file outside cwd names it `../x.ts` (its re-analysis found no file, so no problem).
 */
function normalized(file: string): string {
  const out: string[] = [];
  for (const part of file.split("/")) {
    if (part === ".") continue;
    if (part === ".." && out.length > 1) out.pop();
    else if (part !== "..") out.push(part);
  }
  return out.join("/");
}

function keyOf(finding: Finding): string {
  const kind = finding.kind === "self-deadlock" ? "self-deadlock" : "potential-deadlock";
  return `${kind}:${[...finding.locks].sort().join(",")}`;
}

/**
 * The edits to check, by the absolute path (forward slashes) of the file they edit; `cwd` is
 * the directory finding paths are relative to. Empty when no finding offers an edit.
 */
export function fixCandidates(
  findings: readonly Finding[],
  cwd: string,
): ReadonlyMap<string, readonly Candidate[]> {
  const byFile = new Map<string, Candidate[]>();
  findings.forEach((finding, f) => {
    if (!CHECKED_KINDS.has(finding.kind)) return;
    finding.suggestions.forEach((s, i) => {
      if (s.edit === undefined) return;
      const file = absolute(s.edit.file, cwd);
      const list = byFile.get(file) ?? [];
      list.push({
        finding: f,
        suggestion: i,
        key: keyOf(finding),
        locks: finding.locks,
        edit: s.edit,
      });
      byFile.set(file, list);
    });
  });
  return byFile;
}

/** The findings with each withheld edit dropped, its suggestion saying why. */
export function withFixVerdicts(findings: readonly Finding[], verdicts: FixVerdicts): Finding[] {
  return findings.map((finding, f) => {
    const why = (i: number) => verdicts.get(verdictKey({ finding: f, suggestion: i }));
    if (!finding.suggestions.some((_, i) => why(i) !== undefined)) return finding;
    const suggestions = finding.suggestions.map((s, i) => {
      const reason = why(i);
      if (reason === undefined) return s;
      return { kind: s.kind, message: `${s.message} (no edit: ${reason})` };
    });
    return { ...finding, suggestions };
  });
}
