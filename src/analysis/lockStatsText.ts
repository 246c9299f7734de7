// `threadlens run --stats`: the lock profile (lockStats.ts) as a table under the report, the
// same figures the JSON report's `lockStats` and the editor's Locks view show.
import type { LockStats } from "../protocol/report.ts";

function micros(us: number): string {
  if (us >= 1_000_000) return `${(us / 1_000_000).toFixed(2)}s`;
  if (us >= 1_000) return `${(us / 1_000).toFixed(1)}ms`;
  return `${Math.round(us)}µs`;
}

const COLUMNS = ["lock", "kind", "acq", "contended", "hold p50", "p99", "max", "wait", "holder"];

export function formatLockStats(stats: readonly LockStats[]): string {
  if (stats.length === 0) return "lock statistics: no lock was taken or waited for\n";
  const rows = stats.map((s) => [
    s.lock,
    s.kind,
    String(s.acquisitions),
    `${s.contended} (${Math.round(s.contention * 100)}%)`,
    micros(s.holdP50),
    micros(s.holdP99),
    micros(s.holdMax),
    micros(s.waitTotal),
    s.holders.join(",") || "-",
  ]);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) =>
        i < 2 || i === cells.length - 1
          ? cell.padEnd(widths[i] ?? 0)
          : cell.padStart(widths[i] ?? 0),
      )
      .join("  ")
      .trimEnd();
  return (
    [
      "lock statistics (recorded acquisitions; times per hold and total wait):",
      line(COLUMNS),
      ...rows.map(line),
    ].join("\n") + "\n"
  );
}
