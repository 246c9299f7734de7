// Command-line parsing of `threadlens` (DESIGN section 8). Errors are UsageError (exit 3).
import { STRATEGIES, type Strategy } from "../protocol/schedule.ts";

/** `run --confirm`: reruns per potential deadlock unless `--confirm-runs` says otherwise. */
export const DEFAULT_CONFIRM_RUNS = 20;
/** `explore`: runs, strategy, PCT bug depth and per-run timeout unless the options say otherwise. */
export const EXPLORE_DEFAULTS = { runs: 50, strategy: "pct", depth: 3, timeoutMs: 30_000 } as const;

export class UsageError extends Error {
  override name = "UsageError";
}

export type Command =
  | {
      readonly command: "run";
      readonly program: string;
      readonly args: readonly string[];
      readonly json: boolean;
      /** Print the lock statistics table after the report. */
      readonly stats: boolean;
      readonly trace: string | undefined;
      readonly timeoutMs: number | undefined;
      /** `--confirm [--confirm-runs N]`: rerun potential deadlocks under directed schedules. */
      readonly confirm?: { readonly runs: number };
      /** `--schedule <token>`: replay a controlled schedule. */
      readonly schedule?: string;
    }
  | {
      readonly command: "explore";
      readonly program: string;
      readonly args: readonly string[];
      readonly json: boolean;
      readonly runs: number;
      readonly strategy: Strategy;
      /** The base seed (run i uses seed + i); undefined: drawn at random and printed. */
      readonly seed: number | undefined;
      /** PCT's bug depth d: d - 1 priority change points per run. */
      readonly depth: number;
      /** Each run's wall-time bound: a run still going then is a hang. */
      readonly timeoutMs: number;
      /** `--shrink`: reduce the failing run's schedule to the fewest forced switches. */
      readonly shrink: boolean;
    }
  | { readonly command: "check"; readonly paths: readonly string[]; readonly json: boolean }
  | { readonly command: "export"; readonly trace: string; readonly out: string }
  | { readonly command: "help" }
  | { readonly command: "version" };

export const USAGE = `usage:
  threadlens run <program.ts|.js> [--json] [--stats] [--trace <file.tltrace>] [--timeout <ms>]
      [--confirm [--confirm-runs N]] [--schedule <token>] [-- args...]
  threadlens explore <program.ts|.js> [--runs N] [--strategy random|pct] [--seed S] [--depth D]
      [--timeout <ms>] [--shrink] [--json] [-- args...]
  threadlens check [files or folders...] [--json]
  threadlens export --perfetto <trace.tltrace> <out.json>
  threadlens --help | --version

exit codes of run: 0 nothing found, 1 findings but nothing blocked, 2 the program blocked and
was stopped (deadlock, hang, timeout; with --confirm: a potential deadlock confirmed), 3 usage
or start error or a failure of threadlens,
else the program's own non-zero code (findings still reported), 128+n killed by signal n.
exit codes of explore: those of run, for the first run that deadlocked, hung or failed
(0 when none did).
exit codes of check (static analysis, default folder "."): 0 nothing found, 1 findings,
3 usage error or a file that does not parse.`;

function takeValue(argv: readonly string[], i: number, flag: string): string {
  const value = argv[i + 1];
  if (value === undefined || value.startsWith("--")) throw new UsageError(`${flag} needs a value`);
  return value;
}

function positiveInteger(flag: string, value: string, zero = false): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < (zero ? 0 : 1))
    throw new UsageError(
      `${flag} must be a ${zero ? "non-negative" : "positive"} integer, got ${value}`,
    );
  return n;
}

/**
 * The command line of a command that runs a program (run, explore): its options, the program,
 * then the program's own arguments (after the program, or after `--`). `option(flag, value)`
 * takes one option, `value()` taking its value; it returns false for a flag it does not know.
 */
function scanProgramLine(
  argv: readonly string[],
  option: (flag: string, value: () => string) => boolean,
): { program: string | undefined; args: string[] } {
  let program: string | undefined;
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? "";
    if (a === "--") {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (program !== undefined && !a.startsWith("--")) {
      args.push(a);
      continue;
    }
    if (!a.startsWith("--")) program = a;
    else if (!option(a, () => takeValue(argv, i++, a))) throw new UsageError(`unknown option ${a}`);
  }
  return { program, args };
}

function parseRun(argv: readonly string[]): Command {
  let json = false;
  let stats = false;
  let trace: string | undefined;
  let timeoutMs: number | undefined;
  let confirm = false;
  let confirmRuns = DEFAULT_CONFIRM_RUNS;
  let schedule: string | undefined;
  const { program, args } = scanProgramLine(argv, (a, value) => {
    if (a === "--json") json = true;
    else if (a === "--stats") stats = true;
    else if (a === "--trace") trace = value();
    else if (a === "--timeout") {
      const text = value();
      const n = Number(text);
      if (!Number.isInteger(n) || n <= 0)
        throw new UsageError(`--timeout must be a positive number of milliseconds, got ${text}`);
      timeoutMs = n;
    } else if (a === "--confirm") confirm = true;
    else if (a === "--confirm-runs") confirmRuns = positiveInteger(a, value());
    else if (a === "--schedule") schedule = value();
    else return false;
    return true;
  });
  if (program === undefined)
    throw new UsageError("run needs a program: threadlens run <program.ts>");
  if (confirm && schedule !== undefined)
    throw new UsageError("--confirm and --schedule do not go together: confirm makes schedules");
  return {
    command: "run",
    program,
    args,
    json,
    stats,
    trace,
    timeoutMs,
    ...(confirm ? { confirm: { runs: confirmRuns } } : {}),
    ...(schedule === undefined ? {} : { schedule }),
  };
}

function parseExplore(argv: readonly string[]): Command {
  let json = false;
  let runs: number = EXPLORE_DEFAULTS.runs;
  let strategy: Strategy = EXPLORE_DEFAULTS.strategy;
  let seed: number | undefined;
  let depth: number = EXPLORE_DEFAULTS.depth;
  let timeoutMs: number = EXPLORE_DEFAULTS.timeoutMs;
  let shrink = false;
  const { program, args } = scanProgramLine(argv, (a, value) => {
    if (a === "--json") json = true;
    else if (a === "--shrink") shrink = true;
    else if (a === "--runs") runs = positiveInteger(a, value());
    else if (a === "--seed") seed = positiveInteger(a, value(), true);
    else if (a === "--depth") depth = positiveInteger(a, value());
    else if (a === "--timeout") timeoutMs = positiveInteger(a, value());
    else if (a === "--strategy") {
      const text = value();
      if (!(STRATEGIES as readonly string[]).includes(text))
        throw new UsageError(`--strategy must be one of ${STRATEGIES.join(", ")}, got ${text}`);
      strategy = text as Strategy;
    } else return false;
    return true;
  });
  if (program === undefined)
    throw new UsageError("explore needs a program: threadlens explore <program.ts>");
  if (seed !== undefined && seed > 2 ** 31)
    throw new UsageError(`--seed must be at most ${2 ** 31}, got ${seed}`);
  return {
    command: "explore",
    program,
    args,
    json,
    runs,
    strategy,
    seed,
    depth,
    timeoutMs,
    shrink,
  };
}

function parseCheck(argv: readonly string[]): Command {
  const paths: string[] = [];
  let json = false;
  let onlyPaths = false;
  for (const a of argv) {
    if (onlyPaths || !a.startsWith("--")) paths.push(a);
    else if (a === "--") onlyPaths = true;
    else if (a === "--json") json = true;
    else throw new UsageError(`unknown option ${a}`);
  }
  return { command: "check", paths, json };
}

export function parseArgs(argv: readonly string[]): Command {
  const [command, ...rest] = argv;
  // No command at all is a usage error (exit 3); asking for help is not.
  if (command === undefined) throw new UsageError("no command given");
  if (command === "--help" || command === "-h" || command === "help") return { command: "help" };
  if (command === "--version") return { command: "version" };
  if (command === "run") return parseRun(rest);
  if (command === "explore") return parseExplore(rest);
  if (command === "check") return parseCheck(rest);
  if (command === "export") {
    if (rest[0] !== "--perfetto" || rest.length !== 3) {
      throw new UsageError("export needs: threadlens export --perfetto <trace.tltrace> <out.json>");
    }
    return { command: "export", trace: rest[1] ?? "", out: rest[2] ?? "" };
  }
  throw new UsageError(`unknown command ${command}`);
}
