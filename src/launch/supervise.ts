// Running a program under threadlens, for every supervisor (`threadlens run`, the debug
// adapter): the start checks, the spawn under the preload with the recorder's output pipe on
// fd 3 (and, for the adapter, a command pipe on fd 4), and the parsing of the recorder's JSON
// lines.
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Writable } from "node:stream";
import { pathToFileURL } from "node:url";
import {
  ENV_CONTROL_FD,
  ENV_MAIN_ENTRY,
  ENV_OUTPUT_FD,
  ENV_PROGRAM,
  ENV_STREAM,
  ENV_TIMEOUT_MS,
  ENV_TRACE_FILE,
  type ControlCommand,
  type RecorderOutput,
} from "../protocol/recorderControl.ts";
import { cacheDir } from "../protocol/codeCache.ts";
import { compiledProgramEntry } from "./compiledEntry.ts";
import { killProcessTree } from "../protocol/processTree.ts";
import { isTypeScriptFile, toSyntaxError } from "../protocol/typeScriptFiles.ts";

/** A program that cannot start (missing, not compilable): a message that says what to fix. */
export class StartError extends Error {
  override name = "StartError";
}

/**
 * Fails early on a program that is missing or not a file; true when it is TypeScript, whose
 * syntax `checkSyntax` checks.
 */
export function checkProgramFile(file: string, given: string): boolean {
  if (!existsSync(file)) throw new StartError(`cannot find program ${given} (looked at ${file})`);
  if (!statSync(file).isFile()) throw new StartError(`${given} is not a file`);
  return isTypeScriptFile(file);
}

type Esbuild = typeof import("esbuild");

function syntaxStartError(file: string, error: unknown): StartError {
  return new StartError(
    `TypeScript syntax error: ${(toSyntaxError(file, error) as Error).message}`,
  );
}

function syntaxOptions(file: string) {
  return {
    loader: file.endsWith("x") ? ("tsx" as const) : ("ts" as const),
    logLevel: "silent" as const,
  };
}

/**
 * Where a source text that compiled is marked (`syntax-<hash>.ok` in the compile cache): a
 * later run of the same text, which compiles alike, skips esbuild (its module and its service
 * process cost each run of the CLI some 40 ms of CPU). The hash is two 32-bit FNV-1a hashes
 * with different offsets and the length: node:crypto would cost more than the check it saves.
 */
function syntaxMark(file: string, source: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x811c9dc5) >>> 0;
  }
  const loader = syntaxOptions(file).loader;
  return path.join(
    cacheDir,
    `syntax-${loader}-${a.toString(36)}${b.toString(36)}-${source.length}.ok`,
  );
}

function markChecked(mark: string): void {
  try {
    mkdirSync(cacheDir, { recursive: true });
    closeSync(openSync(mark, "w"));
  } catch {
    // A mark that cannot be written only costs the next run its check.
  }
}

/** Fails early, with the compiler's message and location, on what would not start. */
export function checkProgram(file: string, given: string): void {
  if (!checkProgramFile(file, given)) return;
  const source = readFileSync(file, "utf8");
  const mark = syntaxMark(file, source);
  if (existsSync(mark)) return;
  // Loaded here, not with this module: esbuild (and the node:crypto it loads) costs a start of
  // the CLI a tenth of a second, and a JavaScript program never needs it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require("esbuild") as Esbuild;
  try {
    esbuild.transformSync(source, syntaxOptions(file));
  } catch (error) {
    throw syntaxStartError(file, error);
  }
  markChecked(mark);
}

/**
 * The syntax check of a TypeScript program (after `checkProgramFile`), without blocking: the
 * CLI runs it while the program's process starts, since a main module that does not compile
 * fails in the preload before any of its code runs. Rejects with the StartError
 * `checkProgram` throws.
 */
export async function checkSyntax(file: string): Promise<void> {
  const source = readFileSync(file, "utf8");
  const mark = syntaxMark(file, source);
  if (existsSync(mark)) return;
  // Not import(): in the CommonJS bundles it would parse esbuild again as an ES module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require("esbuild") as Esbuild;
  try {
    await esbuild.transform(source, syntaxOptions(file));
  } catch (error) {
    throw syntaxStartError(file, error);
  }
  markChecked(mark);
}

/**
 * Fails early when an output file (a trace, an export) cannot be written: a missing folder, a
 * folder in its place, no permission. The file is created (empty) by the check.
 */
export function checkOutputFile(file: string, given: string): void {
  const folder = path.dirname(file);
  if (!existsSync(folder)) throw new StartError(`cannot write ${given}: no folder ${folder}`);
  if (!statSync(folder).isDirectory())
    throw new StartError(`cannot write ${given}: ${folder} is not a folder`);
  if (existsSync(file) && statSync(file).isDirectory())
    throw new StartError(`cannot write ${given}: it is a folder`);
  try {
    closeSync(openSync(file, "w"));
  } catch (error) {
    throw new StartError(
      `cannot write ${given}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/** One stdio entry of spawn(): "pipe", "inherit", "ignore", an fd, a stream. */
type StdioEntry = Exclude<StdioOptions, string>[number];

const OUTPUT_FD = 3;
const CONTROL_FD = 4;

export interface ProgramLaunch {
  /** The program as the user named it (the report's `program`). */
  readonly program: string;
  /** Its absolute path. */
  readonly file: string;
  readonly args: readonly string[];
  /** Where dist/register.mjs is. */
  readonly distDir: string;
  readonly cwd?: string;
  /** The program's whole environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** The node to run (default: this process's executable). */
  readonly runtimeExecutable?: string;
  /** Node options, before the preload. */
  readonly runtimeArgs?: readonly string[];
  readonly traceFile?: string;
  readonly timeoutMs?: number;
  /** Also stream dictionary records and event batches (the adapter's live view). */
  readonly stream?: boolean;
  /** stdin, stdout, stderr of the program. */
  readonly stdio: readonly [StdioEntry, StdioEntry, StdioEntry];
}

export interface ProgramEnd {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface SupervisedProgram {
  readonly child: ChildProcess;
  /** Resolves once the process is running; rejects when it could not be started. */
  readonly started: Promise<void>;
  /** Resolves once the process has exited and the recorder's output has been read to its end. */
  readonly ended: Promise<ProgramEnd>;
  /** Sends a command to the recorder (ignored once the program is gone). */
  sendCommand(command: ControlCommand): void;
  /** Closes the command pipe (the recorder takes its end as the supervisor going away). */
  closeControl(): void;
  /** Kills the program and every process it started, at once. */
  killTree(): void;
}

/** Spawns the program under the preload; `onOutput` gets each recorder message in order. */
export function superviseProgram(
  launch: ProgramLaunch,
  onOutput: (message: RecorderOutput) => void,
): SupervisedProgram {
  const env: NodeJS.ProcessEnv = {
    ...(launch.env ?? process.env),
    [ENV_OUTPUT_FD]: String(OUTPUT_FD),
    [ENV_PROGRAM]: launch.program,
  };
  if (launch.traceFile !== undefined) env[ENV_TRACE_FILE] = path.resolve(launch.traceFile);
  if (launch.timeoutMs !== undefined) env[ENV_TIMEOUT_MS] = String(launch.timeoutMs);
  if (launch.stream === true) env[ENV_STREAM] = "1";
  // The command pipe is also the program's lifeline: its end of file (the supervisor gone,
  // however it died, SIGKILL included) makes the recorder end the program's process tree.
  env[ENV_CONTROL_FD] = String(CONTROL_FD);
  const register = pathToFileURL(path.join(launch.distDir, "register.mjs")).href;
  const stdio: StdioEntry[] = [...launch.stdio, "pipe", "pipe"];
  const runtimeArgs = launch.runtimeArgs ?? [];
  const compiled = compiledProgramEntry(launch.file, launch.distDir, runtimeArgs, env);
  if (compiled !== undefined) env[ENV_MAIN_ENTRY] = launch.file;
  const child = spawn(
    launch.runtimeExecutable ?? process.execPath,
    [...runtimeArgs, "--import", register, compiled ?? launch.file, ...launch.args],
    { stdio, env, cwd: launch.cwd },
  );
  const started = new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", reject);
  });
  const output = child.stdio[OUTPUT_FD] as NodeJS.ReadableStream | null | undefined;
  const drained = new Promise<void>((resolve) => {
    if (output === null || output === undefined) return resolve();
    const lines = createInterface({ input: output });
    lines.on("line", (line) => {
      let message: RecorderOutput;
      try {
        message = JSON.parse(line) as RecorderOutput;
      } catch {
        return; // not the recorder's: the pipe only carries its JSON lines
      }
      onOutput(message);
    });
    lines.on("close", resolve);
  });
  const exited = new Promise<ProgramEnd>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  // Callers await what they need; an unawaited rejection must not crash the supervisor.
  started.catch(() => undefined);
  const ended = exited.then(async (end) => {
    await drained;
    return end;
  });
  ended.catch(() => undefined);
  const control = child.stdio[CONTROL_FD] as Writable | null;
  // The program may be gone when a command is written: that is no error of the supervisor's.
  control?.on("error", () => undefined);
  return {
    child,
    started,
    ended,
    sendCommand(command) {
      if (control !== null && !control.destroyed) control.write(`${JSON.stringify(command)}\n`);
    },
    closeControl() {
      control?.destroy();
    },
    killTree() {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null)
        killProcessTree(child.pid, true);
    },
  };
}
