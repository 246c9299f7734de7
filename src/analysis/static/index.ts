// Static lock-order analysis (DESIGN 5.5, issue 6) with the TypeScript compiler API: no run,
// the sources only. Per function, the locks held when another is taken, following calls into
// the analyzed files with the held set and bound lock parameters; lock identity by symbol,
// unknown identities left out. Lock-order cycles, edges against `// threadlens: order a < b`
// comments and a Lock taken again while held become findings in the report schema of the
// runtime analysis, with its suggestions. Pure: sources come from the injected readFile.
import type ts from "typescript";
import type { Finding } from "../../protocol/report.ts";
import { DeclaredOrders, parseDeclaredOrders, type DeclaredOrder } from "../declaredOrder.ts";
import { ProgramWalk, type WalkLimits } from "./analysis.ts";
import {
  cycleFinding,
  reacquireFinding,
  violationFinding,
  type FindingContext,
} from "./findings.ts";
import { findLockCycles, findOrderViolations } from "./graph.ts";
import { IncrementalFile } from "./incremental.ts";
import { createStaticProgram, type SourceProblem } from "./program.ts";

export type { SourceProblem } from "./program.ts";
export type { WalkLimits } from "./analysis.ts";
export { FILE_BUDGET_MS } from "./analysis.ts";

export interface StaticAnalysisOptions extends WalkLimits {
  /** Finding paths are relative to this directory. */
  readonly cwd: string;
  /** Orders declared outside the analyzed files, enforced with theirs. */
  readonly declaredOrders?: readonly DeclaredOrder[];
  /** Longest lock cycle searched (default 8). */
  readonly maxCycleLength?: number;
  /**
   * Only each finding's kind and locks, without sites, messages or suggestions (the
   * re-analysis of a fix edit needs no more: checkedFixes.ts). Building the findings of a large
   * file (every site of every cycle, every suggestion's edit) was most of each re-analysis.
   */
  readonly problemsOnly?: boolean;
  /**
   * Keep the walk's per-function records, for the incremental re-analysis of fix edits
   * (checkSources of one file: its result's `incremental`).
   */
  readonly track?: boolean;
}

export interface StaticCheckOptions extends StaticAnalysisOptions {
  /** The files to analyze: absolute paths with forward slashes. */
  readonly files: readonly string[];
  /** A file's text, undefined when it cannot be read. */
  readonly readFile: (path: string) => string | undefined;
}

export interface StaticResult {
  /** Sorted by file, line and column of their first site. */
  readonly findings: readonly Finding[];
  /** The orders enforced (declared in the files, and given). */
  readonly declaredOrders: readonly DeclaredOrder[];
  /** Lock-order edges found (for tests and statistics). */
  readonly edgeCount: number;
  /** Function walks made. */
  readonly walks: number;
  /** Files whose walk stopped at the per-file time budget (findings there may be missing). */
  readonly overBudget: readonly string[];
  /** The walk, when tracked (`track`). */
  readonly trackedWalk?: ProgramWalk;
}

export interface StaticCheckResult extends StaticResult {
  /** Files that cannot be read or parsed; the analysis of the rest still runs. */
  readonly problems: readonly SourceProblem[];
  /** The file's walk for incremental re-analyses (`track`, one file walked to its end). */
  readonly incremental?: IncrementalFile;
}

/** Analyzes the given files. */
export function checkSources(options: StaticCheckOptions): StaticCheckResult {
  const { program, sourceFiles, problems } = createStaticProgram(
    options.files,
    options.readFile,
    options.cwd,
  );
  const track = options.track === true && sourceFiles.length === 1 && problems.length === 0;
  const { trackedWalk, ...result } = analyzeProgram(program, sourceFiles, { ...options, track });
  const source = sourceFiles[0];
  const incremental =
    trackedWalk === undefined || source === undefined
      ? undefined
      : IncrementalFile.fromWalk(source, trackedWalk, options.cwd);
  return { ...result, problems, ...(incremental === undefined ? {} : { incremental }) };
}

/**
 * Analyzes `sourceFiles` of a program built elsewhere (an editor's language service, the
 * workspace analysis). Only the code of `roots` (default: all) is walked; the other files
 * declare what it uses (locks, functions it calls), and must not hold lock operations or
 * order declarations of their own (workspace.ts decides which files can).
 */
export function analyzeProgram(
  program: ts.Program,
  sourceFiles: readonly ts.SourceFile[],
  options: StaticAnalysisOptions,
  roots: readonly ts.SourceFile[] = sourceFiles,
): StaticResult {
  const walk = new ProgramWalk(program, sourceFiles, options, roots, options.track === true);
  walk.run();
  const orders = [
    ...(options.declaredOrders ?? []),
    ...roots.flatMap((sf) => parseDeclaredOrders(sf.text, sf.fileName)),
  ];
  const texts = new Map(sourceFiles.map((sf) => [sf.fileName, sf.text]));
  const ctx: FindingContext = {
    cwd: options.cwd,
    readSource: (file) => texts.get(file),
    orders: new DeclaredOrders(orders),
  };
  const edges = [...walk.edges.values()];
  const cycles = findLockCycles(edges, options.maxCycleLength ?? 8);
  if (options.problemsOnly === true) {
    const problem = (kind: Finding["kind"], locks: string[]): Finding => ({
      kind,
      message: "",
      locks,
      threads: [],
      sites: [],
      suggestions: [],
    });
    return {
      findings: [
        ...cycles.map((c) =>
          problem(
            "potential-deadlock",
            c.locks.map((l) => l.name),
          ),
        ),
        ...[...walk.reacquires.values()].map((r) => problem("self-deadlock", [r.lock.name])),
      ],
      declaredOrders: orders,
      edgeCount: edges.length,
      walks: walk.walks,
      overBudget: [...walk.overBudget].sort(),
      ...(walk.tracking === undefined ? {} : { trackedWalk: walk }),
    };
  }
  const findings = [
    ...cycles.map((c) => cycleFinding(c, ctx)),
    ...findOrderViolations(edges, ctx.orders, cycles).map((v) => violationFinding(v, ctx)),
    ...[...walk.reacquires.values()].map((r) => reacquireFinding(r, ctx)),
  ];
  return {
    findings: findings.sort(compareFindings),
    declaredOrders: orders,
    edgeCount: edges.length,
    walks: walk.walks,
    overBudget: [...walk.overBudget].sort(),
    ...(walk.tracking === undefined ? {} : { trackedWalk: walk }),
  };
}

function compareFindings(a: Finding, b: Finding): number {
  const sa = a.sites[0];
  const sb = b.sites[0];
  if (sa === undefined || sb === undefined)
    return (sa === undefined ? 1 : 0) - (sb === undefined ? 1 : 0);
  if (sa.file !== sb.file) return sa.file < sb.file ? -1 : 1;
  return sa.line - sb.line || sa.column - sb.column || (a.message < b.message ? -1 : 1);
}
