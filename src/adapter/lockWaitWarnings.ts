// The `lockTimeoutWarningMs` launch attribute: a warning in the Debug Console when a thread has
// waited that long for a lock, naming the lock, its owner and the line, once per wait. Waits are
// timed on the adapter's clock from when their request arrived (the stream lags by ~5 ms).
import type { Blocking } from "../analysis/runState.ts";
import { relativePath } from "../protocol/paths.ts";
import type { ProgramModel } from "./programModel.ts";

/** How often pending waits are looked at. */
const CHECK_INTERVAL_MS = 50;

interface PendingWait {
  readonly blocking: Blocking;
  readonly seenAt: number;
  warned: boolean;
}

export class LockWaitWarnings {
  readonly #waits = new Map<number, PendingWait>();
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly model: ProgramModel,
    private readonly thresholdMs: number,
    private readonly cwd: string,
    private readonly warn: (text: string) => void,
  ) {
    this.#timer = setInterval(() => this.check(performance.now()), CHECK_INTERVAL_MS);
    this.#timer.unref();
  }

  /** Notes new waits and warns about long ones (also called by the timer). */
  check(now: number): void {
    const seen = new Set<number>();
    for (const thread of this.model.liveThreads()) {
      const blocking = this.model.blocking(thread.ident);
      if (blocking?.kind !== "acquire") continue;
      seen.add(thread.ident);
      let wait = this.#waits.get(thread.ident);
      if (wait?.blocking !== blocking) {
        wait = { blocking, seenAt: now, warned: false };
        this.#waits.set(thread.ident, wait);
      }
      if (!wait.warned && now - wait.seenAt >= this.thresholdMs) {
        wait.warned = true;
        this.warn(this.#text(thread.ident, thread.name, now - wait.seenAt));
      }
    }
    for (const ident of this.#waits.keys()) if (!seen.has(ident)) this.#waits.delete(ident);
  }

  dispose(): void {
    clearInterval(this.#timer);
  }

  #text(ident: number, name: string, waitedMs: number): string {
    const awaited = this.model.awaited(ident);
    const owner =
      awaited === undefined || awaited.owners.length === 0
        ? ""
        : `, held by ${awaited.owners.join(", ")}`;
    const frame = awaited?.site[0];
    const where =
      frame === undefined
        ? ""
        : ` at ${relativePath(frame.file, this.cwd)}:${frame.line}:${frame.column}`;
    return (
      `threadlens: ${name} has waited ${Math.round(waitedMs)} ms for ` +
      `${awaited?.name ?? "a lock"}${owner}${where}\n`
    );
  }
}
