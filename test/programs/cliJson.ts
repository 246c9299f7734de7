// The real CLI (dist/cli.js) run with `--json` from the repository root, as a user runs it:
// the test runner's own settings kept from the program, every run bounded.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Report } from "../../src/protocol/report.ts";

/**
 * The repository. A test file without `import.meta` or top-level await is CommonJS (the
 * package's type), and so is this module when such a file imports it: `__dirname` there.
 */
export const root =
  typeof __dirname === "string"
    ? path.resolve(__dirname, "../..")
    : fileURLToPath(new URL("../..", import.meta.url));
export const cli = path.join(root, "dist/cli.js");

/** The environment a CLI run gets: this process's without the test runner's own settings. */
export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env["NODE_TEST_CONTEXT"];
  delete env["NODE_OPTIONS"];
  return env;
}

export interface CliRun {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** From the repository root unless said. */
  readonly cwd?: string;
  /** Added to cliEnv(). */
  readonly env?: NodeJS.ProcessEnv;
  /** The bound of the whole run, 120 s unless said; then `killSignal` (SIGTERM) ends it. */
  readonly timeoutMs?: number;
  readonly killSignal?: NodeJS.Signals;
}

function nodeRun(nodeArgs: readonly string[], options: CliOptions): CliRun {
  const r = spawnSync(process.execPath, nodeArgs, {
    cwd: options.cwd ?? root,
    env: cliEnv(options.env),
    encoding: "utf8",
    timeout: options.timeoutMs ?? 120_000,
    killSignal: options.killSignal ?? "SIGTERM",
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/**
 * nodeRun() without blocking this process, so that a test can wait on several runs at once
 * (programs that mostly sleep or wait on a hold); the same bound and kill signal.
 */
function nodeRunAsync(nodeArgs: readonly string[], options: CliOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs, {
      cwd: options.cwd ?? root,
      env: cliEnv(options.env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const bound = setTimeout(
      () => child.kill(options.killSignal ?? "SIGTERM"),
      options.timeoutMs ?? 120_000,
    );
    child.on("error", (error) => {
      clearTimeout(bound);
      reject(error);
    });
    // "close", not "exit": both pipes are read to their end.
    child.on("close", (status, signal) => {
      clearTimeout(bound);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

/** `threadlens <args>` to its end, bounded. */
export function cliRun(args: readonly string[], options: CliOptions = {}): CliRun {
  return nodeRun([cli, ...args], options);
}

/** cliRun() as a promise: runs that a test awaits together. */
export function cliRunAsync(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  return nodeRunAsync([cli, ...args], options);
}

/** `node --import threadlens/register <program> <args>`: a program run as users run it. */
export function preloadRun(
  program: string,
  args: readonly string[] = [],
  options: CliOptions = {},
): CliRun {
  return nodeRun(["--import", "threadlens/register", program, ...args], options);
}

/** preloadRun() as a promise: runs that a test awaits together. */
export function preloadRunAsync(
  program: string,
  args: readonly string[] = [],
  options: CliOptions = {},
): Promise<CliRun> {
  return nodeRunAsync(["--import", "threadlens/register", program, ...args], options);
}

export interface JsonRun {
  readonly status: number | null;
  readonly report: Report;
  /** The program's own output (stdout holds only the report). */
  readonly stderr: string;
}

/**
 * `threadlens <command> --json <rest>` (before any `--` that starts the program's own
 * arguments); fails the test unless stdout is the JSON report.
 */
export function cliJsonRun(
  [command = "", ...rest]: readonly string[],
  options: CliOptions = {},
): JsonRun {
  return jsonOf(cliRun([command, "--json", ...rest], options));
}

/** cliJsonRun() as a promise: runs that a test awaits together. */
export async function cliJsonRunAsync(
  [command = "", ...rest]: readonly string[],
  options: CliOptions = {},
): Promise<JsonRun> {
  return jsonOf(await cliRunAsync([command, "--json", ...rest], options));
}

function jsonOf(r: CliRun): JsonRun {
  try {
    return { status: r.status, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
  } catch {
    return assert.fail(`not a JSON report (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** `threadlens <command> --json <rest>` from the repository root, killed (SIGKILL) past 120 s. */
export function threadlensJson(...args: string[]): JsonRun {
  return cliJsonRun(args, { killSignal: "SIGKILL" });
}
