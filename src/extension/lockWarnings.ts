// The live long-hold and long-wait warnings of a session (the adapter's `threadlens/warning`
// events, DESIGN 6 `lockTimeoutWarningMs`) as the Threads view lists them: the ones that still
// last first, longest first, then the last few that ended. Pure (no vscode): the unit tests
// feed it events.
import path from "node:path";
import type { LockWarningBody } from "../adapter/customProtocol.ts";
import type { LockWarningSummary } from "./webviewMessages.ts";

/** Ended warnings kept in the list (the most recent), under the ones that still last. */
export const ENDED_KEPT = 5;

/** "850 ms", "1.2 s", "12 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  return seconds < 10 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds)} s`;
}

/** What the view says of one warning, in a few words. */
export function warningLabel(w: LockWarningBody): string {
  const d = formatDuration(w.durationMs);
  if (w.kind === "hold") {
    return w.active
      ? `${w.thread} has held ${w.lock} for ${d}, still held`
      : `${w.thread} held ${w.lock} for ${d}`;
  }
  return w.active
    ? `${w.thread} has waited ${d} for ${w.lock}, still waiting`
    : `${w.thread} waited ${d} for ${w.lock}`;
}

export class LiveWarnings {
  readonly #byId = new Map<string, { body: LockWarningBody; order: number }>();
  #order = 0;

  /** A warning's first event, an update of its duration, or its end. */
  apply(body: LockWarningBody): void {
    this.#byId.set(body.id, { body, order: this.#order++ });
  }

  clear(): void {
    this.#byId.clear();
  }

  get size(): number {
    return this.#byId.size;
  }

  list(): LockWarningSummary[] {
    const all = [...this.#byId.values()];
    const active = all
      .filter((w) => w.body.active)
      .sort((a, b) => b.body.durationMs - a.body.durationMs);
    const ended = all
      .filter((w) => !w.body.active)
      .sort((a, b) => b.order - a.order)
      .slice(0, ENDED_KEPT);
    return [...active, ...ended].map(({ body }) => ({
      id: body.id,
      kind: body.kind,
      active: body.active,
      label: warningLabel(body),
      ...(body.site === undefined
        ? {}
        : {
            where: `${path.basename(body.site.file)}:${body.site.line}`,
            location: body.site,
          }),
    }));
  }
}
