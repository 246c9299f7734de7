// DAP `pause`, `continue` and the stops: which stop the program is in (deadlock, pause, or a
// potential deadlock after the end), and the `stopped` events. A pause asks the recorder to
// park every thread at its next synchronization point and stops once it says they are; a
// deadlock stop needs no parking (every thread of the cycle is blocked for good).
import { OutputEvent, StoppedEvent } from "@vscode/debugadapter";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { formatReport } from "../analysis/humanReport.ts";
import type { ControlCommand, RecorderOutput } from "../protocol/recorderControl.ts";
import { stopsProgram } from "../protocol/findingRules.ts";
import type { Report } from "../protocol/report.ts";
import type { ProgramModel } from "./programModel.ts";
import { firstThreadOf, threadsOf, type StopState } from "./stackTraces.ts";

const STILL_DEADLOCKED =
  "threadlens: the program is deadlocked: no thread can continue. Stop the session to end it.\n";

export interface ExecutionHost {
  /** Sends an event (after the response of the request that caused it, if any). */
  event(event: DebugProtocol.Event): void;
  /** Sends a command to the recorder. */
  command(command: ControlCommand): void;
  /** Forgets per-stop references (frames, variables). */
  invalidate(): void;
}

/** What `continue` did. */
export type ContinueOutcome = "resumed" | "still-deadlocked" | "released";

export class ExecutionControl {
  #stop: StopState | undefined;
  #pausing = false;

  constructor(
    private readonly model: ProgramModel,
    private readonly host: ExecutionHost,
  ) {}

  get stop(): StopState | undefined {
    return this.#stop;
  }

  /** The client asked to pause: parking starts; `stopped` follows once the recorder confirms. */
  pause(): void {
    if (this.#stop !== undefined || this.#pausing) return;
    this.#pausing = true;
    this.host.command({ command: "pause" });
  }

  /** The client asked to continue (after its response was sent). */
  continue(): ContinueOutcome {
    const stop = this.#stop;
    if (stop?.kind === "deadlock") {
      // Nothing can run: the threads stay where they are, and the stop is shown again.
      this.host.event(new OutputEvent(STILL_DEADLOCKED, "console"));
      this.#sendStopped(stop);
      return "still-deadlocked";
    }
    this.#stop = undefined;
    this.host.invalidate();
    if (stop?.kind === "potential-deadlock") return "released";
    if (stop?.kind === "pause" || this.#pausing) {
      this.#pausing = false;
      this.host.command({ command: "continue" });
    }
    return "resumed";
  }

  /** The recorder parked the threads (or gave up waiting for some). */
  onPaused(message: Extract<RecorderOutput, { type: "paused" }>): void {
    if (!this.#pausing || this.#stop !== undefined) return;
    this.#pausing = false;
    const parked = new Map(message.parked.map((p) => [p.thread, p.site] as const));
    this.#enter({ kind: "pause", parked, running: message.running });
  }

  /** A blocked report (deadlock, self-deadlock, hang): stops on it; false when not blocking. */
  onBlocked(report: Report): boolean {
    const finding = report.findings.find((f) => stopsProgram(f.kind));
    if (finding === undefined) return false;
    // A pause in flight is overtaken: the threads of the cycle will never park.
    this.#pausing = false;
    this.#enter({ kind: "deadlock", report, finding, text: formatReport(report) });
    return true;
  }

  /** The final report names potential deadlocks: stops on them (the program is ending). */
  onPotentialDeadlocks(report: Report): boolean {
    const findings = report.findings.filter((f) => f.kind === "potential-deadlock");
    if (findings.length === 0) return false;
    this.#pausing = false;
    this.#enter({ kind: "potential-deadlock", report, findings, text: formatReport(report) });
    return true;
  }

  /** The `exceptionInfo` body of a finding stop (undefined when running or paused). */
  exceptionInfo(): DebugProtocol.ExceptionInfoResponse["body"] | undefined {
    const stop = this.#stop;
    if (stop === undefined || stop.kind === "pause") return undefined;
    const finding = stop.kind === "deadlock" ? stop.finding : stop.findings[0];
    if (finding === undefined) return undefined;
    return {
      exceptionId: finding.kind,
      description: finding.message,
      breakMode: "always",
      details: { message: stop.text, typeName: finding.kind },
    };
  }

  /** The program has ended: a deadlock or pause stop is over (a potential one stays). */
  onEnded(): void {
    this.#pausing = false;
    if (this.#stop?.kind !== "potential-deadlock") this.#stop = undefined;
  }

  #enter(stop: StopState): void {
    this.#stop = stop;
    this.host.invalidate();
    this.#sendStopped(stop);
  }

  #sendStopped(stop: StopState): void {
    let reason: string;
    let threadId: number | undefined;
    let description: string;
    let text: string | undefined;
    if (stop.kind === "pause") {
      reason = "pause";
      threadId = stop.parked.keys().next().value;
      description =
        stop.running.length === 0
          ? "Paused: every thread is at a synchronization point"
          : `Paused (still running, no synchronization point reached: ${stop.running.join(", ")})`;
    } else {
      const finding = stop.kind === "deadlock" ? stop.finding : stop.findings[0];
      reason = "deadlock";
      threadId = finding === undefined ? undefined : firstThreadOf(this.model, finding);
      description =
        stop.kind === "deadlock"
          ? stop.finding.message
          : `Potential deadlock (the program has ended): ${finding?.message ?? ""}`;
      text = stop.text;
    }
    threadId ??= threadsOf(this.model, stop)[0]?.id;
    const event = new StoppedEvent(reason, threadId) as DebugProtocol.StoppedEvent;
    event.body.description = description;
    event.body.allThreadsStopped = true;
    if (text !== undefined) event.body.text = text;
    this.host.event(event);
  }
}
