// The Locks view's rows, pure (no vscode, so unit tests read them): per lock the analysis'
// figures (analysis/lockStats.ts) as one short line, the sort orders the view offers, and the
// tooltip's table. The same figures as `threadlens run --stats` and the report's `lockStats`.
import type { LockStats } from "../protocol/report.ts";

export const LOCK_SORTS = {
  contention: "contention %",
  holdP99: "hold time p99",
  holdMax: "longest hold",
  waitTotal: "total wait time",
  acquisitions: "acquisitions",
  name: "name",
} as const;
export type LockSort = keyof typeof LOCK_SORTS;

export function formatMicros(us: number): string {
  if (us >= 1_000_000) return `${(us / 1_000_000).toFixed(2)} s`;
  if (us >= 1_000) return `${(us / 1_000).toFixed(1)} ms`;
  return `${Math.round(us)} µs`;
}

export function percent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}

/** Highest first (by name: alphabetical), ties by name. */
export function sortLocks<T extends LockStats>(locks: readonly T[], by: LockSort): T[] {
  const key = (l: LockStats): number => (by === "name" ? 0 : l[by]);
  return [...locks].sort((a, b) => key(b) - key(a) || a.lock.localeCompare(b.lock));
}

/** The row's description: who has it, then the figures, most telling first. */
export function lockDescription(lock: LockStats): string {
  const owner = lock.holders.length > 0 ? `held by ${lock.holders.join(", ")}` : "free";
  const waiting = lock.waiters.length > 0 ? ` · ${lock.waiters.length} waiting` : "";
  return (
    `${owner}${waiting} · ${lock.acquisitions}× · ${percent(lock.contention)} contended · ` +
    `hold p50 ${formatMicros(lock.holdP50)} p99 ${formatMicros(lock.holdP99)} ` +
    `max ${formatMicros(lock.holdMax)} · wait ${formatMicros(lock.waitTotal)}`
  );
}

/** The tooltip: every figure with its name (Markdown table). */
export function lockTable(lock: LockStats): string {
  const rows: [string, string][] = [
    ["holder", lock.holders.join(", ") || "none"],
    ["waiters", lock.waiters.join(", ") || "none"],
    ["acquisitions", String(lock.acquisitions)],
    ["contended", `${lock.contended} (${percent(lock.contention)})`],
    [
      "hold p50 / p99 / max",
      [lock.holdP50, lock.holdP99, lock.holdMax].map(formatMicros).join(" / "),
    ],
    ["wait total / max", `${formatMicros(lock.waitTotal)} / ${formatMicros(lock.waitMax)}`],
  ];
  return [
    `**${lock.lock}** (${lock.kind})`,
    "",
    "| | |",
    "|---|---|",
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
  ].join("\n");
}
