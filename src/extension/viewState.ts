// What the Threads and Locks views show now: the model of the current (or last) session or of
// an opened trace file, the stop description, and the run's findings. Views subscribe to one
// change event, fired at most every REFRESH_MS so a busy stream cannot flood the webview.
import * as vscode from "vscode";
import type { Finding } from "../protocol/report.ts";
import { LiveWarnings } from "./lockWarnings.ts";
import { TraceModel } from "./traceModel.ts";

const REFRESH_MS = 200;

export interface RunFindings {
  readonly findings: readonly Finding[];
  /** Finding paths are relative to it. */
  readonly cwd: string;
}

export class ViewState implements vscode.Disposable {
  #model = new TraceModel("No threadlens session yet", process.cwd());
  #status = "";
  #findings: RunFindings = { findings: [], cwd: process.cwd() };
  /** The session's long-hold and long-wait warnings (cleared with the model). */
  readonly warnings = new LiveWarnings();
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.#changed.event;

  get model(): TraceModel {
    return this.#model;
  }

  get status(): string {
    return this.#status;
  }

  get findings(): RunFindings {
    return this.#findings;
  }

  /** A new session or trace: everything shown so far is replaced. */
  reset(model: TraceModel, status = ""): void {
    this.#model = model;
    this.#status = status;
    this.#findings = { findings: [], cwd: process.cwd() };
    this.warnings.clear();
    this.changed(true);
  }

  setStatus(status: string): void {
    this.#status = status;
    this.changed(true);
  }

  setFindings(findings: RunFindings): void {
    this.#findings = findings;
    this.changed(true);
  }

  /** The model was updated in place; `now` for stops and ends, where views must be current. */
  changed(now = false): void {
    if (now) {
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#changed.fire();
      return;
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#changed.fire();
    }, REFRESH_MS);
  }

  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#changed.dispose();
  }
}
