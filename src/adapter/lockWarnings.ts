// The `lockTimeoutWarningMs` launch attribute (DESIGN 6, DRD's exclusive threshold): live
// warnings while a lock is held, or waited for, longer than the threshold, naming the thread,
// the lock, where it was taken (or is awaited) and for how long. Each goes to the Debug Console
// once when it passes the threshold and once when it ends, and to the extension's views as the
// custom event `threadlens/warning`, again every UPDATE_MS while it lasts (the views show the
// duration growing). Durations are on the adapter's clock from when the hold or wait was first
// seen, plus its age then in the program's clock (a hold is recorded only when it matters, so it
// may be seen late: its age at first sight comes from the latest event's time).
import type { Frame } from "../protocol/events.ts";
import { relativePath } from "../protocol/paths.ts";
import type { LockWarningBody } from "./customProtocol.ts";
import type { ProgramModel } from "./programModel.ts";

/** How often holds and waits are looked at. */
const CHECK_INTERVAL_MS = 50;
/** How often a lasting warning is sent again to the views with its new duration. */
export const UPDATE_MS = 1000;

interface Tracked {
  readonly kind: LockWarningBody["kind"];
  readonly thread: string;
  readonly lock: string;
  readonly site: Frame | undefined;
  /** For a wait: the waiting thread (its lock's holders are named when the warning is sent). */
  readonly waiter?: number;
  /** Adapter clock (ms) when first seen, minus its age then: its start on the adapter's clock. */
  readonly startedAt: number;
  /** Adapter clock of the last warning sent; undefined until it passed the threshold. */
  sentAt: number | undefined;
  seen: boolean;
}

export interface WarningSink {
  /** A Debug Console line (with the site, shown as a link). */
  output(text: string, site: Frame | undefined): void;
  /** The custom event for the views. */
  event(body: LockWarningBody): void;
}

export class LockWarnings {
  readonly #tracked = new Map<string, Tracked>();
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly model: ProgramModel,
    private readonly thresholdMs: number,
    private readonly cwd: string,
    private readonly sink: WarningSink,
  ) {
    this.#timer = setInterval(() => this.check(performance.now()), CHECK_INTERVAL_MS);
    this.#timer.unref();
  }

  /** Notes new holds and waits, warns about long ones, ends the ones gone (also on the timer). */
  check(now: number): void {
    for (const t of this.#tracked.values()) t.seen = false;
    const programNow = this.model.state.lastTime;
    for (const thread of this.model.liveThreads()) {
      const status = this.model.state.threads.get(thread.ident);
      for (const hold of status?.held.values() ?? []) {
        const key = `hold:${thread.ident}:${hold.object}:${hold.since}`;
        this.#see(key, now, () => ({
          kind: "hold",
          thread: thread.name,
          lock: this.model.dict.objectName(hold.object),
          site: this.model.frames(hold.site)[0],
          startedAt: now - Math.max(0, programNow - hold.since) / 1000,
        }));
      }
      const blocking = this.model.blocking(thread.ident);
      if (blocking?.kind === "acquire") {
        const key = `wait:${thread.ident}:${blocking.object}:${blocking.since}`;
        this.#see(key, now, () => ({
          kind: "wait",
          thread: thread.name,
          lock: this.model.dict.objectName(blocking.object),
          site: this.model.frames(blocking.site)[0],
          waiter: thread.ident,
          // Waits are timed from when they were seen: the stream lags by ~5 ms only.
          startedAt: now,
        }));
      }
    }
    for (const [key, t] of this.#tracked) {
      if (t.seen) continue;
      this.#tracked.delete(key);
      if (t.sentAt !== undefined) this.#send(key, t, now, "ended");
    }
  }

  /**
   * The program ended: a last look, then every warning still lasting ends with it (a hold
   * released just before the end may not have been looked at yet).
   */
  finish(now: number): void {
    this.check(now);
    for (const [key, t] of this.#tracked)
      if (t.sentAt !== undefined) this.#send(key, t, now, "exit");
    this.#tracked.clear();
    this.dispose();
  }

  dispose(): void {
    clearInterval(this.#timer);
  }

  #see(key: string, now: number, create: () => Omit<Tracked, "sentAt" | "seen">): void {
    let t = this.#tracked.get(key);
    if (t === undefined) {
      t = { ...create(), sentAt: undefined, seen: true };
      this.#tracked.set(key, t);
    }
    t.seen = true;
    if (now - t.startedAt < this.thresholdMs) return;
    if (t.sentAt === undefined || now - t.sentAt >= UPDATE_MS) this.#send(key, t, now, "lasts");
  }

  #send(key: string, t: Tracked, now: number, state: WarningState): void {
    const active = state === "lasts";
    const first = t.sentAt === undefined;
    t.sentAt = now;
    const durationMs = Math.round(now - t.startedAt);
    const site =
      t.site === undefined
        ? undefined
        : { file: t.site.file, line: t.site.line, column: t.site.column };
    const holders =
      t.waiter === undefined || !active ? [] : (this.model.awaited(t.waiter)?.owners ?? []);
    const text = warningText({ ...t, holders }, durationMs, state, this.cwd);
    this.sink.event({
      id: key,
      kind: t.kind,
      thread: t.thread,
      lock: t.lock,
      durationMs,
      active,
      ...(site === undefined ? {} : { site }),
      text,
    });
    // The console says when it passes the threshold and when it ends, not every update.
    if (first || !active) this.sink.output(`threadlens: ${text}\n`, t.site);
  }
}

/** Still held (or waited for); released (or acquired); or cut by the program's end. */
export type WarningState = "lasts" | "ended" | "exit";

/**
 * "main has held config for 1200 ms, still held (taken at app.ts:9:3)"; "worker-1 has waited
 * 300 ms for lockB, held by worker-4, still waiting (at app.ts:12:5)".
 */
export function warningText(
  t: Pick<Tracked, "kind" | "thread" | "lock" | "site"> & { readonly holders?: readonly string[] },
  durationMs: number,
  state: WarningState,
  cwd: string,
): string {
  const where =
    t.site === undefined
      ? ""
      : ` (${t.kind === "hold" ? "taken" : "waiting"} at ${relativePath(t.site.file, cwd)}:${t.site.line}:${t.site.column})`;
  if (state === "exit") {
    return t.kind === "hold"
      ? `${t.thread} held ${t.lock} for ${durationMs} ms, until the program ended${where}`
      : `${t.thread} waited ${durationMs} ms for ${t.lock}, until the program ended${where}`;
  }
  if (t.kind === "hold") {
    return state === "lasts"
      ? `${t.thread} has held ${t.lock} for ${durationMs} ms, still held${where}`
      : `${t.thread} released ${t.lock} after holding it for ${durationMs} ms${where}`;
  }
  const holders = t.holders ?? [];
  const by = holders.length === 0 ? "" : `, held by ${holders.join(", ")}`;
  return state === "lasts"
    ? `${t.thread} has waited ${durationMs} ms for ${t.lock}${by}, still waiting${where}`
    : `${t.thread} stopped waiting for ${t.lock} after ${durationMs} ms${where}`;
}
