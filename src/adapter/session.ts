// The threadlens debug session (debug type `threadlens`, DESIGN 6): the DAP lifecycle and the
// dispatch of requests to the parts that answer them. The same class runs standalone
// (dist/adapter.js, DAP on stdio) and inline in the extension (DebugAdapterInlineImplementation).
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  DebugSession,
  Event,
  ExitedEvent,
  Handles,
  InitializedEvent,
  OutputEvent,
  TerminatedEvent,
  Thread,
  ThreadEvent,
} from "@vscode/debugadapter";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { EXIT_BLOCKED, EXIT_START } from "../launch/exitCodes.ts";
import type { RecorderOutput } from "../protocol/recorderControl.ts";
import type { Finding, Report } from "../protocol/report.ts";
import {
  EVENT_FINDING,
  EVENT_STREAM,
  EVENT_WARNING,
  REQUEST_TRACE,
  StreamBatcher,
  type FindingEventBody,
  type TraceResponseBody,
} from "./customProtocol.ts";
import { ADAPTER_CAPABILITIES } from "./capabilities.ts";
import { ExecutionControl } from "./executionControl.ts";
import { parseLaunchArguments, type LaunchSettings } from "./launchArguments.ts";
import { LockWarnings } from "./lockWarnings.ts";
import { ProgramModel } from "./programModel.ts";
import { ProgramRunner, resolveProgram } from "./programRunner.ts";
import { positionedOutput, reportOutputEvents } from "./reportOutput.ts";
import { stackOf, threadsOf, toStackFrames } from "./stackTraces.ts";
import { VariableStore } from "./variables.ts";

export interface SessionOptions {
  /** The folder of register.mjs (the package's dist/); default: this module's folder. */
  readonly distDir?: string;
  /**
   * Runs before the fix checks first load the static analyzer (and with it the TypeScript
   * compiler): the standalone adapter loads the compiler with its code cache there.
   */
  readonly beforeFixChecks?: () => void;
}

type CheckFixEdits = typeof import("../analysis/static/checkedFixes.ts").checkFixEdits;

/** How long launch waits for configurationDone before it starts the program anyway. */
const CONFIGURATION_TIMEOUT_MS = 2000;
const LAUNCH_ERROR = 1001;

export class ThreadlensDebugSession extends DebugSession {
  readonly #distDir: string;
  readonly #beforeFixChecks: (() => void) | undefined;
  #checkFixEdits: CheckFixEdits | undefined;
  readonly #model = new ProgramModel();
  readonly #variables = new VariableStore();
  readonly #frames = new Handles<{ readonly thread: number }>();
  readonly #execution: ExecutionControl;
  readonly #stream = new StreamBatcher((body) => this.#emit(new Event(EVENT_STREAM, body)));
  #settings: LaunchSettings | undefined;
  #cwd = process.cwd();
  #runner: ProgramRunner | undefined;
  #launched = false;
  #warnings: LockWarnings | undefined;
  #configurationDone: () => void = () => undefined;
  readonly #configured = new Promise<void>((resolve) => (this.#configurationDone = resolve));
  /** Program events wait for the launch response (DAP: events after the responses they follow). */
  #launchAnswered = false;
  readonly #heldEvents: DebugProtocol.Event[] = [];
  /** A blocked program ended by the adapter (stopOnDeadlock false) exits as `run` would. */
  #exitCodeOverride: number | undefined;
  /** Exit code of a program that ended while a potential-deadlock stop holds the session. */
  #deferredExit: number | undefined;
  #terminated = false;
  /** The client asked for the end: no stop may hold the session any more. */
  #ending = false;

  constructor(options: SessionOptions = {}) {
    super();
    this.#distDir = options.distDir ?? __dirname;
    this.#beforeFixChecks = options.beforeFixChecks;
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    this.#execution = new ExecutionControl(this.#model, {
      event: (event) => {
        this.#stream.flush();
        this.#emit(event);
      },
      command: (command) => this.#runner?.send(command),
      invalidate: () => {
        this.#frames.reset();
        this.#variables.reset();
      },
    });
  }

  protected override initializeRequest(
    response: DebugProtocol.InitializeResponse,
    _args: DebugProtocol.InitializeRequestArguments,
  ): void {
    response.body = { ...response.body, ...ADAPTER_CAPABILITIES };
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  protected override configurationDoneRequest(
    response: DebugProtocol.ConfigurationDoneResponse,
    args: DebugProtocol.ConfigurationDoneArguments,
  ): void {
    super.configurationDoneRequest(response, args);
    this.#configurationDone();
  }

  protected override async launchRequest(
    response: DebugProtocol.LaunchResponse,
    args: DebugProtocol.LaunchRequestArguments,
  ): Promise<void> {
    try {
      if (this.#launched) throw new Error("this session has launched its program already");
      this.#launched = true;
      // Bad input is answered at once, before waiting for the client's configuration.
      const settings = parseLaunchArguments(args);
      const resolved = resolveProgram(settings);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.#configured,
        new Promise((resolve) => (timer = setTimeout(resolve, CONFIGURATION_TIMEOUT_MS))),
      ]);
      clearTimeout(timer);
      this.#settings = settings;
      this.#cwd = resolved.cwd;
      this.#runner = await ProgramRunner.start(settings, resolved, this.#distDir, {
        output: (category, text) => this.#emit(new OutputEvent(text, category)),
        recorder: (message) => this.#onRecorder(message),
        ended: (exitCode) => this.#onEnded(exitCode),
      });
      if (resolved.scheduleWarning !== undefined) {
        this.#emit(new OutputEvent(`threadlens: ${resolved.scheduleWarning}\n`, "console"));
      }
      if (settings.lockTimeoutWarningMs !== undefined) {
        this.#warnings = new LockWarnings(this.#model, settings.lockTimeoutWarningMs, this.#cwd, {
          output: (text, site) => this.#emit(positionedOutput(text, "console", site)),
          event: (body) => this.#emit(new Event(EVENT_WARNING, body)),
        });
      }
    } catch (error) {
      this.#heldEvents.length = 0;
      this.sendErrorResponse(response, {
        id: LAUNCH_ERROR,
        format: `threadlens: ${(error as Error).message}`,
        showUser: true,
      });
      return;
    }
    this.sendResponse(response);
    this.#launchAnswered = true;
    // The debuggee's pid: clients show it, and tests check that no process outlives a session.
    const debuggee: DebugProtocol.ProcessEvent["body"] = {
      name: this.#settings?.program ?? "",
      systemProcessId: this.#runner?.pid,
      isLocalProcess: true,
      startMethod: "launch",
    };
    this.sendEvent(new Event("process", debuggee));
    for (const event of this.#heldEvents.splice(0)) this.sendEvent(event);
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    const threads = threadsOf(this.#model, this.#execution.stop);
    response.body = { threads: threads.map((t) => new Thread(t.id, t.name)) };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(
    response: DebugProtocol.StackTraceResponse,
    args: DebugProtocol.StackTraceArguments,
  ): void {
    const frames = stackOf(this.#model, this.#execution.stop, args.threadId, this.#cwd);
    response.body = toStackFrames(frames, args, {
      frameId: () => this.#frames.create({ thread: args.threadId }),
      line: (line) => this.convertDebuggerLineToClient(line),
      column: (column) => this.convertDebuggerColumnToClient(column),
    });
    this.sendResponse(response);
  }

  protected override scopesRequest(
    response: DebugProtocol.ScopesResponse,
    args: DebugProtocol.ScopesArguments,
  ): void {
    const frame = this.#frames.get(args.frameId);
    const scopes =
      frame === undefined
        ? []
        : this.#variables.scopes(this.#model, this.#execution.stop, frame.thread, this.#cwd);
    response.body = { scopes };
    this.sendResponse(response);
  }

  protected override variablesRequest(
    response: DebugProtocol.VariablesResponse,
    args: DebugProtocol.VariablesArguments,
  ): void {
    response.body = { variables: [...this.#variables.variables(args.variablesReference)] };
    this.sendResponse(response);
  }

  protected override pauseRequest(
    response: DebugProtocol.PauseResponse,
    _args: DebugProtocol.PauseArguments,
  ): void {
    this.sendResponse(response);
    if (this.#runner?.running === true) this.#execution.pause();
  }

  protected override continueRequest(
    response: DebugProtocol.ContinueResponse,
    _args: DebugProtocol.ContinueArguments,
  ): void {
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
    if (this.#execution.continue() === "released" && this.#deferredExit !== undefined) {
      this.#finish(this.#deferredExit);
    }
  }

  protected override exceptionInfoRequest(
    response: DebugProtocol.ExceptionInfoResponse,
    _args: DebugProtocol.ExceptionInfoArguments,
  ): void {
    const body = this.#execution.exceptionInfo();
    if (body === undefined) {
      this.sendErrorResponse(response, 1002, "the program is not stopped on a finding");
      return;
    }
    response.body = body;
    this.sendResponse(response);
  }

  protected override terminateRequest(
    response: DebugProtocol.TerminateResponse,
    _args: DebugProtocol.TerminateArguments,
  ): void {
    this.sendResponse(response);
    this.#ending = true;
    const runner = this.#runner;
    if (runner?.running === true) {
      void runner.terminate(); // its end sends exited and terminated
    } else {
      this.#finish(this.#deferredExit);
    }
  }

  protected override async disconnectRequest(
    response: DebugProtocol.DisconnectResponse,
    _args: DebugProtocol.DisconnectArguments,
  ): Promise<void> {
    this.#ending = true;
    await this.#runner?.terminate();
    this.sendResponse(response);
    this.shutdown();
  }

  protected override customRequest(
    command: string,
    response: DebugProtocol.Response,
    args: unknown,
  ): void {
    if (command !== REQUEST_TRACE) {
      super.customRequest(command, response, args);
      return;
    }
    const body: TraceResponseBody = this.#model.trace();
    response.body = body;
    this.sendResponse(response);
  }

  protected override attachRequest(response: DebugProtocol.AttachResponse): void {
    this.sendErrorResponse(response, 1003, "threadlens: attach is not supported; use launch");
  }

  /** Breakpoints are not threadlens' way to stop: each is answered as not verified, saying so. */
  protected override setBreakPointsRequest(
    response: DebugProtocol.SetBreakpointsResponse,
    args: DebugProtocol.SetBreakpointsArguments,
  ): void {
    const message = "threadlens stops on deadlocks and pause, not at breakpoints";
    const breakpoints = (args.breakpoints ?? []).map((b) => ({
      verified: false,
      line: b.line,
      message,
    }));
    response.body = { breakpoints };
    this.sendResponse(response);
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse): void {
    this.sendErrorResponse(response, 1004, "threadlens does not evaluate expressions");
  }

  /** Standalone: the adapter is going away (stdin closed, SIGTERM): the program goes first. */
  override shutdown(): void {
    this.#runner?.killNow();
    super.shutdown();
  }

  /** Inline: the editor disposes of the session. */
  override dispose(): void {
    this.#runner?.killNow();
    this.#stream.dispose();
    this.#warnings?.dispose();
    super.dispose();
  }

  /** Last resort for the standalone entry's exit handler. */
  killProgram(): void {
    this.#runner?.killNow();
  }

  #emit(event: DebugProtocol.Event): void {
    if (this.#launchAnswered) this.sendEvent(event);
    else this.#heldEvents.push(event);
  }

  #emitReport(report: Report): void {
    for (const event of reportOutputEvents(report, this.#cwd, "stderr")) this.#emit(event);
  }

  #sendThreadChanges(): void {
    const { started, exited } = this.#model.threadChanges();
    for (const t of started) this.#emit(new ThreadEvent("started", t.ident));
    for (const ident of exited) this.#emit(new ThreadEvent("exited", ident));
  }

  /** `findings` with every edit re-analysed on the edited text (DESIGN 5.4). */
  #checked(findings: readonly Finding[]): Finding[] {
    if (!findings.some((f) => f.suggestions.some((s) => s.edit !== undefined)))
      return [...findings];
    const cwd = this.#cwd.split(path.sep).join("/");
    const readFile = (file: string): string | undefined => {
      try {
        return readFileSync(file, "utf8");
      } catch {
        return undefined;
      }
    };
    return this.#fixChecker()(findings, { cwd, readFile });
  }

  /**
   * The static analyzer's fix check, loaded when a finding first offers an edit: a session
   * whose program never shows one does not load the TypeScript compiler (a tenth of a second
   * of CPU time, with its code cache). A require, not import(): the checks are synchronous.
   */
  #fixChecker(): CheckFixEdits {
    if (this.#checkFixEdits === undefined) {
      this.#beforeFixChecks?.();
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const checked = require("../analysis/static/checkedFixes.ts") as {
        checkFixEdits: CheckFixEdits;
      };
      this.#checkFixEdits = checked.checkFixEdits;
    }
    return this.#checkFixEdits;
  }

  #checkedReport(report: Report): Report {
    return { ...report, findings: this.#checked(report.findings) };
  }

  #sendFindings(findings: readonly Finding[], blocked: boolean): void {
    if (findings.length === 0) return;
    const body: FindingEventBody = { findings, blocked, cwd: this.#cwd };
    this.#emit(new Event(EVENT_FINDING, body));
  }

  #onRecorder(message: RecorderOutput): void {
    switch (message.type) {
      case "meta":
        this.#model.addMeta(message.record);
        this.#stream.addMeta(message.record);
        this.#sendThreadChanges();
        break;
      case "events":
        this.#model.addEvents(message.events);
        this.#stream.addEvents(message.events);
        this.#sendThreadChanges();
        break;
      case "finding": {
        this.#sendFindings(this.#checked([message.finding]), false);
        break;
      }
      case "paused":
        this.#execution.onPaused(message);
        break;
      case "blocked": {
        this.#stream.flush();
        const report = this.#checkedReport(message.report);
        this.#sendFindings(report.findings, true);
        this.#emitReport(report);
        if (this.#settings?.stopOnDeadlock !== false && this.#execution.onBlocked(report)) break;
        // Not stopping: the blocked program can never finish, so it ends as under `run`.
        this.#exitCodeOverride = EXIT_BLOCKED;
        void this.#runner?.terminate();
        break;
      }
      case "failure":
        // threadlens itself failed: say so; when the program cannot be watched any more it is
        // ended (exit 3), never left running unwatched.
        this.#emit(new OutputEvent(`threadlens: ${message.message}\n`, "stderr"));
        if (message.fatal) {
          this.#exitCodeOverride = EXIT_START;
          void this.#runner?.terminate();
        }
        break;
      case "report": {
        this.#stream.flush();
        const report = this.#checkedReport(message.report);
        this.#sendFindings(report.findings, false);
        const cut = report.cutProcesses !== undefined;
        if (report.findings.length > 0 || report.droppedEvents > 0 || cut) {
          this.#emitReport(report);
        }
        if (this.#settings?.stopOnPotentialDeadlock === true) {
          this.#execution.onPotentialDeadlocks(report);
        }
        break;
      }
    }
  }

  #onEnded(exitCode: number): void {
    this.#warnings?.finish(performance.now());
    this.#stream.flush();
    this.#sendThreadChanges();
    this.#execution.onEnded();
    const code = this.#exitCodeOverride ?? exitCode;
    if (this.#execution.stop?.kind === "potential-deadlock" && !this.#ending) {
      this.#deferredExit = code;
    } else this.#finish(code);
  }

  /** `exited` (when the program ran) then `terminated`, once. */
  #finish(exitCode: number | undefined): void {
    if (this.#terminated) return;
    this.#terminated = true;
    this.#stream.dispose();
    if (exitCode !== undefined) this.#emit(new ExitedEvent(exitCode));
    this.#emit(new TerminatedEvent());
  }
}
