// Command-line parsing of `threadlens` (DESIGN section 8). Errors are UsageError (exit 3).

export class UsageError extends Error {
  override name = "UsageError";
}

export type Command =
  | {
      readonly command: "run";
      readonly program: string;
      readonly args: readonly string[];
      readonly json: boolean;
      readonly trace: string | undefined;
      readonly timeoutMs: number | undefined;
    }
  | { readonly command: "check"; readonly paths: readonly string[]; readonly json: boolean }
  | { readonly command: "export"; readonly trace: string; readonly out: string }
  | { readonly command: "help" }
  | { readonly command: "version" };

export const USAGE = `usage:
  threadlens run <program.ts|.js> [--json] [--trace <file.tltrace>] [--timeout <ms>] [-- args...]
  threadlens check [files or folders...] [--json]
  threadlens export --perfetto <trace.tltrace> <out.json>
  threadlens --help | --version

exit codes of run: 0 nothing found, 1 findings but nothing blocked, 2 the program blocked and
was stopped (deadlock, hang, timeout), 3 usage or start error or a failure of threadlens,
else the program's own non-zero code (findings still reported), 128+n killed by signal n.
exit codes of check (static analysis, default folder "."): 0 nothing found, 1 findings,
3 usage error or a file that does not parse.`;

function takeValue(argv: readonly string[], i: number, flag: string): string {
  const value = argv[i + 1];
  if (value === undefined || value.startsWith("--")) throw new UsageError(`${flag} needs a value`);
  return value;
}

function parseRun(argv: readonly string[]): Command {
  let program: string | undefined;
  let json = false;
  let trace: string | undefined;
  let timeoutMs: number | undefined;
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
    if (a === "--json") json = true;
    else if (a === "--trace") trace = takeValue(argv, i++, a);
    else if (a === "--timeout") {
      const value = takeValue(argv, i++, a);
      const n = Number(value);
      if (!Number.isInteger(n) || n <= 0)
        throw new UsageError(`--timeout must be a positive number of milliseconds, got ${value}`);
      timeoutMs = n;
    } else if (a.startsWith("--")) throw new UsageError(`unknown option ${a}`);
    else program = a;
  }
  if (program === undefined)
    throw new UsageError("run needs a program: threadlens run <program.ts>");
  return { command: "run", program, args, json, trace, timeoutMs };
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
  if (command === "check") return parseCheck(rest);
  if (command === "export") {
    if (rest[0] !== "--perfetto" || rest.length !== 3) {
      throw new UsageError("export needs: threadlens export --perfetto <trace.tltrace> <out.json>");
    }
    return { command: "export", trace: rest[1] ?? "", out: rest[2] ?? "" };
  }
  throw new UsageError(`unknown command ${command}`);
}
