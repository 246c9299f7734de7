// `threadlens check [files or folders...] [--json]` (DESIGN section 8): the static analysis of
// DESIGN 5.5 over the given TypeScript files and folders (default: the current directory), in
// the report shape of `run --json`. Exit 1 when it finds something, 0 when not, 3 for a path
// that does not exist or a file that does not parse (with the compiler's file:line:col).
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { formatReport } from "../analysis/humanReport.ts";
import { relativePath } from "../protocol/paths.ts";
import { FILE_BUDGET_MS, checkSources } from "../analysis/static/index.ts";
import { checkFixEdits } from "../analysis/static/checkedFixes.ts";
import { TOO_DEEP } from "../analysis/static/program.ts";
import { EXIT_CLEAN, EXIT_FINDINGS, EXIT_START } from "../launch/exitCodes.ts";
import type { Report } from "../protocol/report.ts";
import type { Command } from "./args.ts";

type CheckCommand = Extract<Command, { command: "check" }>;

/** Folders never searched: dependencies, build output, and hidden folders (.git, caches). */
const SKIPPED_FOLDERS = new Set(["node_modules", "dist"]);
/** TypeScript sources found in folders (declaration files aside); files named explicitly may be JavaScript too. */
const SOURCE = /\.(?:ts|tsx|mts|cts)$/;
const DECLARATION = /\.d\.[cm]?ts$/;

class CheckError extends Error {
  override name = "CheckError";
}

function toPosix(file: string): string {
  return file.split(path.sep).join("/");
}

function sourcesIn(folder: string, out: string[]): void {
  const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const entry of entries) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name) && !entry.name.startsWith(".")) sourcesIn(full, out);
    } else if (entry.isFile() && SOURCE.test(entry.name) && !DECLARATION.test(entry.name)) {
      out.push(full);
    }
  }
}

/** The files to analyze (absolute), for the paths given on the command line. */
export function collectFiles(paths: readonly string[], cwd: string): string[] {
  const files: string[] = [];
  for (const given of paths) {
    const full = path.resolve(cwd, given);
    let isFolder: boolean;
    try {
      isFolder = statSync(full).isDirectory();
    } catch {
      throw new CheckError(`cannot find ${given} (looked at ${full})`);
    }
    if (isFolder) sourcesIn(full, files);
    else files.push(full);
  }
  return [...new Set(files.map(toPosix))];
}

function readSource(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Runs the check; writes the report (JSON or human) to stdout; returns the exit code. */
export function check(cmd: CheckCommand, cwd: string): number {
  const paths = cmd.paths.length === 0 ? ["."] : cmd.paths;
  let files: string[];
  try {
    files = collectFiles(paths, cwd);
  } catch (error) {
    if (!(error instanceof CheckError)) throw error;
    process.stderr.write(`threadlens: ${error.message}\n`);
    return EXIT_START;
  }
  const result = checkSources({ files, readFile: readSource, cwd: toPosix(cwd), track: true });
  if (result.problems.length > 0) {
    for (const problem of result.problems) {
      const where = relativePath(problem.file, cwd);
      const at = problem.line === 0 ? where : `${where}:${problem.line}:${problem.column}`;
      const what =
        problem.line === 0 || problem.message === TOO_DEEP ? "" : "TypeScript syntax error: ";
      process.stderr.write(`threadlens: ${what}${at}: ${problem.message}\n`);
    }
    return EXIT_START;
  }
  for (const file of result.overBudget) {
    process.stderr.write(
      `threadlens: warning: ${relativePath(file, cwd)}: not analyzed to the end, its ` +
        `${FILE_BUDGET_MS / 1000} s time budget is spent; findings in it may be missing\n`,
    );
  }
  const report: Report = {
    version: 1,
    program: cmd.paths.length === 0 ? "." : cmd.paths.join(" "),
    exitCode: null,
    threads: [],
    // Every edit re-analysed on the edited text before it is offered (DESIGN 5.4).
    findings: checkFixEdits(result.findings, {
      cwd: toPosix(cwd),
      readFile: readSource,
      ...(result.incremental === undefined ? {} : { walked: [result.incremental] }),
    }),
    droppedEvents: 0,
  };
  if (cmd.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    process.stdout.write(formatReport(report));
    process.stdout.write(
      `threadlens check: ${files.length} file${files.length === 1 ? "" : "s"} analyzed\n`,
    );
  }
  return result.findings.length > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
}
