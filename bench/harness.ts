// Measuring and reporting for the benchmarks: every implementation of a case runs in the same
// process, interleaved round by round (so drift in CPU speed hits all of them alike), with
// warm-up rounds first; the result is the median ns/op over the measured rounds. Goals are
// reported, never asserted: a slow machine must not fail a build.

export interface Impl {
  readonly name: string;
  /** Runs one round and returns its ns per operation. */
  readonly round: () => number | Promise<number>;
}

export interface Plan {
  readonly warmup: number;
  readonly rounds: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median ns/op of each implementation, keyed by name. */
export async function measure(impls: readonly Impl[], plan: Plan): Promise<Map<string, number>> {
  const samples = new Map<string, number[]>(impls.map((impl) => [impl.name, []]));
  for (let r = 0; r < plan.warmup + plan.rounds; r++) {
    // Alternate the order, so neither implementation always runs right after the other.
    const order = r % 2 === 0 ? impls : [...impls].reverse();
    for (const impl of order) {
      const nsPerOp = await impl.round();
      if (r >= plan.warmup) samples.get(impl.name)!.push(nsPerOp);
    }
  }
  return new Map([...samples].map(([name, values]) => [name, median(values)]));
}

/** ns per operation of `ops` operations that took `ms` milliseconds. */
export function nsPerOp(ms: number, ops: number): number {
  return (ms * 1e6) / ops;
}

export interface Goal {
  /** threadlens / baseline must be `< limit` (strict) or `<= limit`. */
  readonly limit: number;
  readonly strict: boolean;
}

export interface Row {
  readonly name: string;
  readonly threadlens: number;
  readonly baselineName: string;
  readonly baseline: number;
  /** undefined: informational row, no goal. */
  readonly goal: Goal | undefined;
}

function fmtNs(ns: number): string {
  return ns >= 100 ? ns.toFixed(0) : ns.toFixed(1);
}

function goalText(goal: Goal | undefined): string {
  if (goal === undefined) return "(info)";
  return `${goal.strict ? "<" : "<="} ${goal.limit.toFixed(2)}x`;
}

export function met(row: Row): boolean | undefined {
  if (row.goal === undefined) return undefined;
  const ratio = row.threadlens / row.baseline;
  return row.goal.strict ? ratio < row.goal.limit : ratio <= row.goal.limit;
}

export function formatTable(rows: readonly Row[]): string {
  const header = ["case", "threadlens ns/op", "baseline", "baseline ns/op", "ratio", "goal", "met"];
  const cells = rows.map((row) => {
    const ok = met(row);
    return [
      row.name,
      fmtNs(row.threadlens),
      row.baselineName,
      fmtNs(row.baseline),
      `${(row.threadlens / row.baseline).toFixed(2)}x`,
      goalText(row.goal),
      ok === undefined ? "-" : ok ? "yes" : "NO",
    ];
  });
  const all = [header, ...cells];
  const widths = header.map((_, i) => Math.max(...all.map((line) => line[i]!.length)));
  const numeric = new Set([1, 3, 4]);
  const render = (line: readonly string[]): string =>
    line
      .map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [render(header), rule, ...cells.map(render)].join("\n");
}
