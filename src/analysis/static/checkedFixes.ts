// Fixes that fix (DESIGN 5.4, issue 11): every edit a finding offers is re-analysed on the
// edited text before it is offered. The edit is applied to its file's text in memory and the
// static lock-order analysis runs on the changed file; an edit after which the file still
// takes the finding's locks in both orders (or takes a non-reentrant lock again while holding
// it, or shows a cycle it did not have) is withheld: the suggestion stays, as a message that
// says why. The run's own lock-order graph is checked where the finding is made
// (analysis/fixChecks.ts); this is the part that needs the compiler, run by the front ends
// (`threadlens run` and `threadlens check`).
import type { Finding, Replacement, TextEdit } from "../../protocol/report.ts";
import {
  fixCandidates,
  verdictKey,
  withFixVerdicts,
  type Candidate,
  type FixVerdicts,
} from "../fixCandidates.ts";
import { applyTextEdit } from "../sourceEdits.ts";
import { IncrementalFile } from "./incremental.ts";
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
  /**
   * Walks of files already made with records (checkSources' `incremental`): a file's edits
   * are re-analysed against it when its text is the one read, instead of walking it again.
   */
  readonly walked?: readonly IncrementalFile[];
}

export const FIX_CHECK_BUDGET_MS = 10_000;

/** A group's size limit: an edit with a problem of its own is found by halving the group. */
const MAX_GROUP = 64;

/** The static findings' cycles and re-acquisitions, as comparable keys. */
function problemKeys(findings: readonly Finding[]): Set<string> {
  return new Set(
    findings
      .filter((f) => f.kind === "potential-deadlock" || f.kind === "self-deadlock")
      .map((f) => `${f.kind}:${[...f.locks].sort().join(",")}`),
  );
}

type Position = readonly [number, number];

function before(a: Position, b: Position): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

/**
 * Two replacements that cannot both be applied: overlapping, or starting at one place (which
 * goes first would be arbitrary). The very same replacement twice is one.
 */
function clash(a: Replacement, b: Replacement): boolean {
  const aStart: Position = [a.line, a.column];
  const aEnd: Position = [a.endLine, a.endColumn];
  const bStart: Position = [b.line, b.column];
  const bEnd: Position = [b.endLine, b.endColumn];
  const samePlace = a.line === b.line && a.column === b.column;
  if (samePlace && a.endLine === b.endLine && a.endColumn === b.endColumn)
    return a.newText !== b.newText;
  const aFirst = !before(bStart, aEnd);
  const bFirst = !before(aStart, bEnd);
  return samePlace || !(aFirst || bFirst);
}

/**
 * Edits checked together, with one re-analysis of their file: their findings have no lock in
 * common and their replacements do not clash. A cycle's key is its set of locks, and an edit
 * changes only how its own locks are taken (which receiver comes first, or both at once, or one
 * lock's kind), so each finding's key in the result of all the group's edits is what it would
 * be with its own edit alone; identical replacements (acquireAll's import) are made once.
 */
function groupsOf(candidates: readonly Candidate[]): Candidate[][] {
  const groups: { locks: Set<string>; replacements: Replacement[]; members: Candidate[] }[] = [];
  for (const c of candidates) {
    const fits = groups.find(
      (g) =>
        g.members.length < MAX_GROUP &&
        !c.locks.some((l) => g.locks.has(l)) &&
        !c.edit.replacements.some((r) => g.replacements.some((q) => clash(r, q))),
    );
    const group = fits ?? { locks: new Set<string>(), replacements: [], members: [] };
    if (fits === undefined) groups.push(group);
    for (const l of c.locks) group.locks.add(l);
    group.replacements.push(...c.edit.replacements);
    group.members.push(c);
  }
  return groups.map((g) => g.members);
}

/** The edits of `group` as one (a replacement several of them make is made once). */
function combined(file: string, group: readonly Candidate[]): TextEdit {
  const seen = new Set<string>();
  const replacements: Replacement[] = [];
  for (const c of group) {
    for (const r of c.edit.replacements) {
      const key = `${r.line}:${r.column}:${r.endLine}:${r.endColumn}:${r.newText}`;
      if (seen.has(key)) continue;
      seen.add(key);
      replacements.push(r);
    }
  }
  return { file, replacements };
}

/** The re-analyses of one file's edits: verdicts by candidate (undefined: the edit passes). */
class FileCheck {
  readonly #file: string;
  readonly #text: string;
  readonly #options: FixCheckOptions;
  readonly #budget: number;
  #spent = 0;
  /** Some edit was withheld for want of time (a verdict that another run may not repeat). */
  outOfTime = false;
  #before: Set<string> | undefined;
  /** The unedited file's walk with records (null: it cannot be made; re-analyse whole texts). */
  #incremental: IncrementalFile | null | undefined;
  readonly verdicts = new Map<Candidate, string | undefined>();

  constructor(file: string, text: string, options: FixCheckOptions) {
    this.#file = file;
    this.#text = text;
    this.#options = options;
    this.#budget = options.budgetMs ?? FIX_CHECK_BUDGET_MS;
    const walked = options.walked?.find((w) => w.file === file && w.text === text);
    if (walked !== undefined) this.#incremental = walked;
  }

  #run(source: string): Set<string> {
    const started = performance.now();
    const file = this.#file;
    const keys = problemKeys(
      checkSources({
        files: [file],
        readFile: (p) => (p === file ? source : this.#options.readFile(p)),
        cwd: this.#options.cwd,
        problemsOnly: true,
      }).findings,
    );
    this.#spent += performance.now() - started;
    return keys;
  }

  /**
   * The problems after `edit`: re-walking only the functions it touches (incremental.ts) when
   * the unedited file's records allow, else the whole edited text.
   */
  #after(edit: TextEdit): Set<string> {
    const started = performance.now();
    if (this.#incremental === undefined) {
      this.#incremental =
        IncrementalFile.of(this.#file, this.#text, this.#options.cwd, {
          fileBudgetMs: this.#budget,
        }) ?? null;
    }
    this.#before ??= this.#incremental?.problems;
    const keys = this.#incremental?.problemsAfter(edit);
    this.#spent += performance.now() - started;
    return keys ?? this.#run(applyTextEdit(this.#text, edit));
  }

  check(group: readonly Candidate[]): void {
    if (this.#spent >= this.#budget) {
      this.outOfTime = true;
      const why = `not re-analysed: the ${this.#budget / 1000} s of re-analysis for its file are spent`;
      for (const c of group) this.verdicts.set(c, why);
      return;
    }
    const after = this.#after(combined(this.#file, group));
    const passed: Candidate[] = [];
    for (const c of group) {
      if (!after.has(c.key)) {
        passed.push(c);
        continue;
      }
      const finding = c.key.startsWith("self-deadlock:");
      this.verdicts.set(
        c,
        finding
          ? "re-analysed, the edited code still takes the lock again while holding it"
          : `re-analysed, the edited code still takes ${c.locks.join(" and ")} in both orders`,
      );
    }
    if (passed.length === 0) return;
    // The unedited file's problems, once per file.
    this.#before ??= this.#run(this.#text);
    const before = this.#before;
    const added = [...after].some((k) => !before.has(k));
    if (!added) {
      for (const c of passed) this.verdicts.set(c, undefined);
      return;
    }
    if (passed.length === 1 && group.length === 1) {
      this.verdicts.set(
        passed[0] as Candidate,
        "re-analysed, the edited code has a lock-order problem of its own",
      );
      return;
    }
    // Some edit of the group adds a problem: find which, by halves.
    const half = Math.ceil(passed.length / 2);
    this.check(passed.slice(0, half));
    this.check(passed.slice(half));
  }
}

export interface FixCheck {
  readonly verdicts: FixVerdicts;
  /** Every verdict is the text's own: none was for want of time (`budgetMs`). */
  readonly complete: boolean;
}

/** The verdicts on the edits `fixCandidates` lists, each file read through `options`. */
export function fixVerdicts(
  byFile: ReadonlyMap<string, readonly Candidate[]>,
  options: FixCheckOptions,
): FixCheck {
  const verdicts = new Map<string, string | undefined>();
  let complete = true;
  for (const [file, candidates] of byFile) {
    const text = options.readFile(file);
    const check = text === undefined ? undefined : new FileCheck(file, text, options);
    for (const group of check === undefined ? [] : groupsOf(candidates)) check?.check(group);
    if (check?.outOfTime === true) complete = false;
    for (const c of candidates) {
      const why =
        check === undefined ? "its file cannot be read to check it" : check.verdicts.get(c);
      verdicts.set(verdictKey(c), why);
    }
  }
  return { verdicts, complete };
}

/** The findings with every edit re-analysed; an edit that does not fix is withheld. */
export function checkFixEdits(findings: readonly Finding[], options: FixCheckOptions): Finding[] {
  const { verdicts } = fixVerdicts(fixCandidates(findings, options.cwd), options);
  return withFixVerdicts(findings, verdicts);
}
