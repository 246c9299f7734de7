// Running a program under threadlens, for every supervisor (`threadlens run`, the debug
// adapter): the start checks, the spawn under the preload with the recorder's output pipe on
// fd 3 (and, for the adapter, a command pipe on fd 4), and the parsing of the recorder's JSON
// lines.
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Writable } from "node:stream";
import { pathToFileURL } from "node:url";
import { transformSync } from "esbuild";
import {
  ENV_CONTROL_FD,
  ENV_OUTPUT_FD,
  ENV_PROGRAM,
  ENV_STREAM,
  ENV_TIMEOUT_MS,
  ENV_TRACE_FILE,
  type ControlCommand,
  type RecorderOutput,
} from "../protocol/recorderControl.ts";
import { killProcessTree } from "../protocol/processTree.ts";
import { isTypeScriptFile, toSyntaxError } from "../protocol/typeScriptFiles.ts";

/** A program that cannot start (missing, not compilable): a message that says what to fix. */
export class StartError extends Error {
  override name = "StartError";
}

/** Fails early, with the compiler's message and location, on what would not start. */
export function checkProgram(file: string, given: string): void {
  if (!existsSync(file)) throw new StartError(`cannot find program ${given} (looked at ${file})`);
  if (!statSync(file).isFile()) throw new StartError(`${given} is not a file`);
  if (!isTypeScriptFile(file)) return;
  try {
    transformSync(readFileSync(file, "utf8"), {
      loader: file.endsWith("x") ? "tsx" : "ts",
      logLevel: "silent",
    });
  } catch (error) {
    throw new StartError(
      `TypeScript syntax error: ${(toSyntaxError(file, error) as Error).message}`,
    );
  }
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
  const child = spawn(
    launch.runtimeExecutable ?? process.execPath,
    [...(launch.runtimeArgs ?? []), "--import", register, launch.file, ...launch.args],
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
