// Launch and supervision of the debuggee: the start checks (a missing file or a TypeScript
// syntax error is an error response, not a program that dies at once), the spawn under the
// preload with the recorder's stream and the command pipe, the program's output, and its end.
// Unlike `threadlens run`, a blocked program is not killed: the user inspects it; it ends on
// terminate/disconnect, always, even when every thread is blocked.
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import {
  StartError,
  checkOutputFile,
  checkProgram,
  superviseProgram,
  type SupervisedProgram,
} from "../launch/supervise.ts";
import { exitCodeOfSignal } from "../launch/exitCodes.ts";
import { replayEnv } from "../launch/schedules.ts";
import type { ControlCommand, RecorderOutput } from "../protocol/recorderControl.ts";
import { LaunchArgumentError, type LaunchSettings } from "./launchArguments.ts";

/** Between SIGTERM and SIGKILL: time for the program's own SIGTERM handler. */
export const TERMINATE_GRACE_MS = 1000;
/** After the exit, how long the program's stdout/stderr may take to reach their end. */
const OUTPUT_DRAIN_MS = 500;

export interface RunnerEvents {
  /** Program output, as it comes. */
  output(category: "stdout" | "stderr", text: string): void;
  /** One message of the recorder (meta, events, findings, reports, paused). */
  recorder(message: RecorderOutput): void;
  /** The process has ended and all its output was delivered; `exitCode` as DAP wants it. */
  ended(exitCode: number): void;
}

export interface ResolvedProgram {
  readonly file: string;
  readonly cwd: string;
  /** The `schedule` attribute's environment (DESIGN 8.1), when its token fits the program. */
  readonly scheduleEnv?: NodeJS.ProcessEnv;
  /** Why the `schedule` attribute is not replayed (the program changed since). */
  readonly scheduleWarning?: string;
}

/** The program's absolute path and working directory, checked: a LaunchArgumentError or a
 * StartError (missing file, TypeScript syntax error) says what to fix. */
export function resolveProgram(settings: LaunchSettings): ResolvedProgram {
  const cwd = path.resolve(settings.cwd ?? process.cwd());
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) {
    throw new LaunchArgumentError(`launch attribute "cwd" is not a directory: ${cwd}`);
  }
  const file = path.resolve(cwd, settings.program);
  checkProgram(file, settings.program);
  if (settings.trace !== undefined)
    checkOutputFile(path.resolve(cwd, settings.trace), settings.trace);
  if (settings.schedule === undefined) return { file, cwd };
  const replay = replayEnv(settings.schedule, file);
  return { file, cwd, scheduleEnv: replay.env, scheduleWarning: replay.warning };
}

/** The node to run the program with: this one, unless the adapter runs inside the editor. */
function defaultRuntime(): string {
  return process.versions["electron"] === undefined ? process.execPath : "node";
}

function environment(settings: LaunchSettings): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The adapter's own test runner or editor must not leak into the program.
  delete env["NODE_TEST_CONTEXT"];
  delete env["ELECTRON_RUN_AS_NODE"];
  for (const [name, value] of Object.entries(settings.env)) {
    if (value === null) delete env[name];
    else env[name] = value;
  }
  return env;
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return (signal === null ? undefined : exitCodeOfSignal(signal)) ?? 1;
}

export class ProgramRunner {
  readonly #program: SupervisedProgram;
  readonly #exited: Promise<void>;
  #running = true;

  private constructor(program: SupervisedProgram, exited: Promise<void>) {
    this.#program = program;
    this.#exited = exited;
  }

  /**
   * Starts the program (checked by resolveProgram); resolves once its process runs, rejects
   * with a StartError when it cannot be started (then there is no process).
   */
  static async start(
    settings: LaunchSettings,
    { file, cwd, scheduleEnv }: ResolvedProgram,
    distDir: string,
    events: RunnerEvents,
  ): Promise<ProgramRunner> {
    const program = superviseProgram(
      {
        program: settings.program,
        file,
        args: settings.args,
        distDir,
        cwd,
        env: { ...environment(settings), ...scheduleEnv },
        runtimeExecutable: settings.runtimeExecutable ?? defaultRuntime(),
        runtimeArgs: settings.runtimeArgs,
        traceFile: settings.trace === undefined ? undefined : path.resolve(cwd, settings.trace),
        stream: true,
        // stdin is not the program's: in the standalone adapter it is the DAP stream.
        stdio: ["ignore", "pipe", "pipe"],
      },
      (message) => events.recorder(message),
    );
    const drained = (["stdout", "stderr"] as const).map((category) => {
      const stream = program.child[category];
      return new Promise<void>((resolve) => {
        if (stream === null) return resolve();
        stream.setEncoding("utf8");
        stream.on("data", (text: string) => events.output(category, text));
        stream.on("close", resolve);
        stream.on("error", () => resolve());
      });
    });
    try {
      await program.started;
    } catch (error) {
      const runtime = settings.runtimeExecutable ?? defaultRuntime();
      throw new StartError(`cannot start ${runtime}: ${(error as Error).message}`);
    }
    const runner: ProgramRunner = new ProgramRunner(
      program,
      program.ended.then(
        async ({ code, signal }) => {
          // A grandchild holding the program's stdout open must not hold the session open.
          await Promise.race([
            Promise.all(drained),
            new Promise((resolve) => setTimeout(resolve, OUTPUT_DRAIN_MS)),
          ]);
          runner.#running = false;
          program.closeControl();
          events.ended(exitCodeOf(code, signal));
        },
        () => {
          runner.#running = false;
          events.ended(1);
        },
      ),
    );
    return runner;
  }

  get pid(): number | undefined {
    return this.#program.child.pid;
  }

  get running(): boolean {
    return this.#running;
  }

  send(command: ControlCommand): void {
    if (this.#running) this.#program.sendCommand(command);
  }

  /**
   * Ends the program: SIGTERM, then SIGKILL after the grace period (a program whose threads
   * are all blocked, or that ignores SIGTERM, still ends). Resolves once it has exited.
   */
  async terminate(): Promise<void> {
    if (this.#running) {
      const child = this.#program.child;
      child.kill("SIGTERM");
      const kill = setTimeout(() => this.#program.killTree(), TERMINATE_GRACE_MS);
      await this.#exited;
      clearTimeout(kill);
    }
  }

  /** Last resort when the adapter itself goes away: no grace, no waiting. */
  killNow(): void {
    if (this.#running) this.#program.killTree();
  }

  /** Resolves once the program has ended and `ended` was reported. */
  get exited(): Promise<void> {
    return this.#exited;
  }
}
