// Reading a .tltrace file for the views: parse (a malformed or hostile file becomes a message
// naming its line, never an exception), build the trace model, run the analysis for its
// findings. Shows progress, since a long trace takes seconds; used by the open-trace command
// and the trace editor.
import path from "node:path";
import * as vscode from "vscode";
import { analyzeTrace } from "../analysis/analyze.ts";
import type { Trace } from "../protocol/events.ts";
import type { Finding } from "../protocol/report.ts";
import { parseTrace } from "../protocol/traceText.ts";
import { TraceModel } from "./traceModel.ts";

export interface LoadedTrace {
  readonly trace: Trace;
  readonly model: TraceModel;
  readonly findings: readonly Finding[];
  /** Finding paths are relative to it: the trace's folder. */
  readonly cwd: string;
  readonly status: string;
}

export type TraceLoad =
  | { readonly ok: true; readonly loaded: LoadedTrace }
  | { readonly ok: false; readonly message: string };

/** The trace's text parsed, or the parse error's message ("out.tltrace: line 3: ..."). */
export async function readTrace(uri: vscode.Uri): Promise<Trace | string> {
  const name = path.basename(uri.fsPath);
  try {
    const bytes = await vscode.workspace.fs.readFile(uri);
    return parseTrace(new TextDecoder().decode(bytes));
  } catch (error) {
    return `${name}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

export function loadTrace(uri: vscode.Uri): Promise<TraceLoad> {
  const name = path.basename(uri.fsPath);
  return Promise.resolve(
    vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `threadlens: ${name}` },
      async (progress): Promise<TraceLoad> => {
        progress.report({ message: "reading" });
        const trace = await readTrace(uri);
        if (typeof trace === "string") return { ok: false, message: trace };
        progress.report({ message: `${trace.events.length} events: building the timeline` });
        await yieldToUi();
        const cwd = path.dirname(uri.fsPath);
        const model = new TraceModel(`trace ${name}`, cwd);
        model.addMeta(trace.meta);
        model.addEvents(trace.events);
        progress.report({ message: "analyzing" });
        await yieldToUi();
        let findings: Finding[];
        try {
          findings = analyzeTrace(trace, { cwd });
        } catch (error) {
          return { ok: false, message: `${name}: analysis failed: ${String(error)}` };
        }
        const found = findings.length === 1 ? "1 finding" : `${findings.length} findings`;
        const status = `${trace.events.length} events, ${found}`;
        return { ok: true, loaded: { trace, model, findings, cwd, status } };
      },
    ),
  );
}

/** Lets the progress notification render between the long synchronous steps. */
function yieldToUi(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
