// "Confirm by rerunning" and "Replay under the debugger" (DESIGN 8.1): the code actions'
// commands. Confirm runs `threadlens run <file> --confirm --json` in the background under a
// cancellable progress notification (cancel ends the CLI and the program's process tree);
// a confirmed potential deadlock becomes the run's diagnostics (errors naming the schedule),
// one that is not gets an information message with the report's reason. Replay starts a
// threadlens debug session with the schedule. Both need a trusted workspace: they run code.
import { spawn } from "node:child_process";
import path from "node:path";
import * as vscode from "vscode";
import { killProcessTree } from "../protocol/processTree.ts";
import {
  confirmInvocation,
  parseConfirmOutput,
  type ConfirmOutcome,
  type ConfirmTarget,
} from "./confirmPlan.ts";
import { programRuntimeDist, UNTRUSTED_MESSAGE } from "./debugging.ts";
import type { FindingDiagnostics } from "./diagnostics.ts";
import { COMMAND_CONFIRM_BY_RERUNNING, COMMAND_REPLAY_SCHEDULE, DEBUG_TYPE } from "./ids.ts";

export const CONFIRM_TITLE = "Confirm by rerunning";
export const REPLAY_TITLE = "Replay under the debugger";

/** The arguments of the replay command: the program and the schedule that makes it deadlock. */
export interface ReplayTarget {
  readonly file: string;
  readonly schedule: string;
}

/** What the confirm command resolves to (the e2e tests read it); undefined: refused or cancelled. */
export type ConfirmResult = ConfirmOutcome | undefined;

interface Finished {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
  readonly cancelled: boolean;
}

export class ScheduleCommands implements vscode.Disposable {
  /** CLI processes running now (ended with the extension). */
  readonly #running = new Set<number>();
  readonly #registrations: vscode.Disposable;

  constructor(
    private readonly diagnostics: FindingDiagnostics,
    private readonly distDir: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.#registrations = vscode.Disposable.from(
      vscode.commands.registerCommand(COMMAND_CONFIRM_BY_RERUNNING, (target: ConfirmTarget) =>
        this.confirm(target),
      ),
      vscode.commands.registerCommand(COMMAND_REPLAY_SCHEDULE, (target: ReplayTarget) =>
        replay(target),
      ),
    );
  }

  async confirm(target: ConfirmTarget): Promise<ConfirmResult> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showErrorMessage(UNTRUSTED_MESSAGE);
      return undefined;
    }
    const uri = vscode.Uri.file(target.file);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === uri.fsPath);
    if (open?.isDirty === true) await open.save();
    const cwd = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? path.dirname(target.file);
    const invocation = confirmInvocation({
      distDir: programRuntimeDist(path.dirname(target.file)) ?? this.distDir,
      program: target.file,
      cwd,
      env: process.env,
      execPath: process.execPath,
      electron: process.versions["electron"] !== undefined,
    });
    const program = path.basename(target.file);
    this.log.info(`confirm: ${invocation.command} ${invocation.args.join(" ")} (in ${cwd})`);
    const finished = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `threadlens: confirming the potential deadlock by rerunning ${program}`,
        cancellable: true,
      },
      (progress, token) => {
        progress.report({ message: "a run, then reruns with a directed schedule…" });
        return this.#run(invocation, token);
      },
    );
    this.log.info(
      `confirm: exit ${finished.code ?? "?"}${finished.cancelled ? " (cancelled)" : ""}`,
    );
    if (finished.stderr.trim() !== "") this.log.info(`confirm stderr:\n${finished.stderr.trim()}`);
    if (finished.cancelled) return undefined;
    const outcome = parseConfirmOutput(
      finished.stdout,
      finished.stderr,
      finished.code,
      target,
      cwd,
    );
    if (outcome.type === "confirmed") {
      this.diagnostics.set("run", outcome.findings, cwd);
      const what = `${outcome.finding.locks.join(" ↔ ")} (${outcome.finding.threads.join(", ")})`;
      void vscode.window
        .showWarningMessage(
          `threadlens confirmed the deadlock ${what}: it happens when ${program} is rerun with a directed schedule.`,
          REPLAY_TITLE,
        )
        .then((choice) =>
          choice === REPLAY_TITLE
            ? replay({ file: target.file, schedule: outcome.schedule })
            : undefined,
        );
    } else {
      void vscode.window.showInformationMessage(`threadlens: ${outcome.message}`);
    }
    return outcome;
  }

  #run(
    invocation: ReturnType<typeof confirmInvocation>,
    token: vscode.CancellationToken,
  ): Promise<Finished> {
    return new Promise((resolve) => {
      const child = spawn(invocation.command, [...invocation.args], {
        cwd: invocation.cwd,
        env: invocation.env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      let cancelled = false;
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      const pid = child.pid;
      if (pid !== undefined) this.#running.add(pid);
      const cancel = token.onCancellationRequested(() => {
        cancelled = true;
        if (pid !== undefined) killProcessTree(pid, true);
      });
      const done = (code: number | null, error?: Error) => {
        cancel.dispose();
        if (pid !== undefined) this.#running.delete(pid);
        if (error !== undefined)
          stderr += `threadlens: could not start ${invocation.command}: ${error.message}\n`;
        resolve({ stdout, stderr, code, cancelled });
      };
      child.once("error", (error) => done(null, error));
      child.once("close", (code) => done(code));
    });
  }

  dispose(): void {
    this.#registrations.dispose();
    for (const pid of this.#running) killProcessTree(pid, true);
    this.#running.clear();
  }
}

/** Starts a threadlens debug session that replays `schedule` on the program. */
export async function replay(target: ReplayTarget): Promise<boolean> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showErrorMessage(UNTRUSTED_MESSAGE);
    return false;
  }
  const uri = vscode.Uri.file(target.file);
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  return vscode.debug.startDebugging(folder, {
    type: DEBUG_TYPE,
    request: "launch",
    name: `threadlens: replay ${path.basename(target.file)}`,
    program: target.file,
    cwd: folder?.uri.fsPath ?? path.dirname(target.file),
    stopOnDeadlock: true,
    schedule: target.schedule,
  });
}
