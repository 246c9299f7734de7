// Debug type `threadlens` in the editor: launch configurations resolved for F5 with no
// launch.json, the adapter run inline in the extension host, DAP traffic logged, and the
// adapter's custom events fed to the diagnostics and the views.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import * as vscode from "vscode";
import { ThreadlensDebugSession } from "../adapter/session.ts";
import {
  EVENT_FINDING,
  EVENT_STREAM,
  EVENT_WARNING,
  type FindingEventBody,
  type LockWarningBody,
  type StreamEventBody,
} from "../adapter/customProtocol.ts";
import { eventFromJson } from "../protocol/events.ts";
import type { Finding } from "../protocol/report.ts";
import type { FindingDiagnostics } from "./diagnostics.ts";
import { DEBUG_TYPE } from "./ids.ts";
import { TraceModel } from "./traceModel.ts";
import type { ViewState } from "./viewState.ts";

const RUNNABLE = /\.(ts|mts|cts|js|mjs|cjs)$/;
/** Long stream events are cut in the log: the log is for the protocol, not the trace. */
const LOG_MESSAGE_CHARS = 2_000;

export const UNTRUSTED_MESSAGE =
  "threadlens does not run programs in an untrusted workspace. Trust the workspace to debug; " +
  "trace files and the views work without it.";

export class ThreadlensConfigurationProvider implements vscode.DebugConfigurationProvider {
  resolveDebugConfiguration(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): vscode.DebugConfiguration | undefined {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showErrorMessage(UNTRUSTED_MESSAGE);
      return undefined;
    }
    if (config.type === undefined && config.request === undefined && config.name === undefined) {
      // F5 with no launch.json: run the file in the active editor.
      const document = vscode.window.activeTextEditor?.document;
      if (document === undefined || !RUNNABLE.test(document.fileName)) {
        void vscode.window.showErrorMessage(
          "threadlens: open a .ts or .js file to run it, or add a launch configuration.",
        );
        return undefined;
      }
      return currentFileConfiguration(document.uri, folder);
    }
    // Report paths are relative to `cwd`: without one, the workspace folder's, not the editor's.
    if (config["cwd"] === undefined && folder !== undefined)
      return { ...config, cwd: folder.uri.fsPath };
    return config;
  }
}

/** The configuration "Run Current File" and F5 without launch.json use. */
export function currentFileConfiguration(
  file: vscode.Uri,
  folder: vscode.WorkspaceFolder | undefined,
): vscode.DebugConfiguration {
  const owner = folder ?? vscode.workspace.getWorkspaceFolder(file);
  return {
    type: DEBUG_TYPE,
    request: "launch",
    name: `threadlens: ${path.basename(file.fsPath)}`,
    program: file.fsPath,
    cwd: owner?.uri.fsPath ?? path.dirname(file.fsPath),
    stopOnDeadlock: true,
  };
}

export class InlineAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly distDir: string) {}

  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.DebugAdapterDescriptor {
    // resolveDebugConfiguration already refuses; this also covers a session started without it
    // (the adapter would load the workspace's own threadlens runtime and run its program).
    if (!vscode.workspace.isTrusted) throw new Error(UNTRUSTED_MESSAGE);
    const program: unknown = session.configuration["program"];
    const cwd: unknown = session.configuration["cwd"];
    const start =
      typeof program === "string"
        ? path.resolve(typeof cwd === "string" ? cwd : "", program)
        : undefined;
    const distDir = (start && programRuntimeDist(path.dirname(start))) ?? this.distDir;
    return new vscode.DebugAdapterInlineImplementation(new ThreadlensDebugSession({ distDir }));
  }
}

/**
 * The dist/ of the threadlens package the program itself imports, if it has one. The preload
 * and the program's `import "threadlens"` must be one runtime: a second copy (the extension's)
 * would record into its own world, and its deadlock detection would never see the program's.
 */
export function programRuntimeDist(dir: string): string | undefined {
  for (let at = dir; ; at = path.dirname(at)) {
    for (const candidate of [path.join(at, "node_modules", "threadlens"), at]) {
      const manifest = path.join(candidate, "package.json");
      if (!existsSync(manifest)) continue;
      try {
        const name: unknown = (JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown })
          .name;
        const dist = path.join(candidate, "dist");
        if (name === "threadlens" && existsSync(path.join(dist, "register.mjs"))) return dist;
      } catch {
        // an unreadable package.json is not ours
      }
    }
    if (path.dirname(at) === at) return undefined;
  }
}

export class ProtocolLogger implements vscode.DebugAdapterTrackerFactory {
  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly views: ViewState,
  ) {}

  createDebugAdapterTracker(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    const log = this.log;
    const views = this.views;
    const cut = (message: unknown): string => {
      const text = JSON.stringify(message);
      return text.length > LOG_MESSAGE_CHARS ? `${text.slice(0, LOG_MESSAGE_CHARS)}…` : text;
    };
    return {
      onWillStartSession: () => log.info(`session "${session.name}" starting`),
      onWillReceiveMessage: (message) => log.trace(`→ ${cut(message)}`),
      onDidSendMessage: (message: unknown) => {
        log.trace(`← ${cut(message)}`);
        const stop = stoppedDescription(message);
        if (stop !== undefined) views.setStatus(stop);
      },
      onError: (error) => log.error(`session "${session.name}": ${error.message}`),
      onExit: (code, signal) =>
        log.info(`session "${session.name}" adapter exited (${code ?? signal ?? "?"})`),
      onWillStopSession: () => log.info(`session "${session.name}" stopping`),
    };
  }
}

function stoppedDescription(message: unknown): string | undefined {
  if (typeof message !== "object" || message === null) return undefined;
  const m = message as { type?: unknown; event?: unknown; body?: unknown };
  if (m.type !== "event" || m.event !== "stopped") return undefined;
  // Only reason and description: `text` holds the whole report, too long for a status line.
  const body = (m.body ?? {}) as {
    reason?: unknown;
    description?: unknown;
    threadId?: unknown;
    allThreadsStopped?: unknown;
  };
  // A finding stop sends one event per thread (its own reason): the first, which stops them
  // all, says what the stop is; the others are the lanes' business.
  if (body.allThreadsStopped === false) return undefined;
  const parts = [body.reason, body.description].filter((p) => typeof p === "string");
  return `stopped: ${parts.join(" — ")}`;
}

/** Feeds each threadlens session's custom events to the diagnostics and the views. */
export function trackSessions(
  diagnostics: FindingDiagnostics,
  views: ViewState,
): vscode.Disposable {
  const findings = new Map<string, Finding[]>();
  return vscode.Disposable.from(
    vscode.debug.onDidStartDebugSession((session) => {
      if (session.type !== DEBUG_TYPE) return;
      const cwd = sessionCwd(session);
      findings.set(session.id, []);
      diagnostics.clearRun();
      views.reset(new TraceModel(session.name, cwd), "running");
    }),
    vscode.debug.onDidTerminateDebugSession((session) => {
      if (session.type !== DEBUG_TYPE) return;
      findings.delete(session.id);
      if (!views.status.startsWith("stopped")) views.setStatus("ended");
    }),
    vscode.debug.onDidReceiveDebugSessionCustomEvent((event) => {
      if (event.session.type !== DEBUG_TYPE) return;
      if (event.event === EVENT_STREAM) {
        const body = event.body as StreamEventBody;
        views.model.addMeta(body.meta);
        views.model.addEvents(body.events.flatMap((e) => eventFromJson(e) ?? []));
        views.changed();
      } else if (event.event === EVENT_FINDING) {
        const body = event.body as FindingEventBody;
        const all = findings.get(event.session.id) ?? [];
        all.push(...body.findings);
        findings.set(event.session.id, all);
        diagnostics.set("run", all, body.cwd);
        views.setFindings({ findings: [...all], cwd: body.cwd });
      } else if (event.event === EVENT_WARNING) {
        views.warnings.apply(event.body as LockWarningBody);
        views.changed();
      }
    }),
  );
}

function sessionCwd(session: vscode.DebugSession): string {
  const cwd: unknown = session.configuration["cwd"];
  if (typeof cwd === "string") return cwd;
  return session.workspaceFolder?.uri.fsPath ?? process.cwd();
}
