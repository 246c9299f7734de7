// Measuring and reporting for the benchmarks: every implementation of a case runs in the same
// process, interleaved round by round (so drift in CPU speed, or another process on the
// machine, hits all of them alike), with warm-up rounds first. A row shows the median ns/op of
// each side and the median of the per-round ratios (paired, so a noisy round cancels out).
// Goals are reported, never asserted: a slow machine must not fail a build.

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

/** ns/op of each measured round of each implementation, keyed by name. */
export async function measure(impls: readonly Impl[], plan: Plan): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>(impls.map((impl) => [impl.name, []]));
  for (let r = 0; r < plan.warmup + plan.rounds; r++) {
    // Alternate the order, so neither implementation always runs right after the other.
    const order = r % 2 === 0 ? impls : [...impls].reverse();
    for (const impl of order) {
      const nsPerOp = await impl.round();
      if (r >= plan.warmup) samples.get(impl.name)!.push(nsPerOp);
    }
  }
  return samples;
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
  readonly baselineName: string;
  /** median ns/op */
  readonly threadlens: number;
  readonly baseline: number;
  /** median of threadlens / baseline over the rounds */
  readonly ratio: number;
  /** undefined: informational row, no goal. */
  readonly goal: Goal | undefined;
}

/** A row from the per-round samples of threadlens and of the baseline (same rounds). */
export function row(
  name: string,
  baselineName: string,
  threadlens: readonly number[],
  baseline: readonly number[],
  goal: Goal | undefined,
): Row {
  const ratios = threadlens.map((t, i) => t / baseline[i]!);
  return {
    name,
    baselineName,
    threadlens: median(threadlens),
    baseline: median(baseline),
    ratio: median(ratios),
    goal,
  };
}

function fmtNs(ns: number): string {
  return ns >= 100 ? ns.toFixed(0) : ns.toFixed(1);
}

function goalText(goal: Goal | undefined): string {
  if (goal === undefined) return "(info)";
  return `${goal.strict ? "<" : "<="} ${goal.limit.toFixed(2)}x`;
}

export function met(r: Row): boolean | undefined {
  if (r.goal === undefined) return undefined;
  return r.goal.strict ? r.ratio < r.goal.limit : r.ratio <= r.goal.limit;
}

export function formatTable(rows: readonly Row[]): string {
  const header = ["case", "threadlens ns/op", "baseline", "baseline ns/op", "ratio", "goal", "met"];
  const cells = rows.map((r) => {
    const ok = met(r);
    return [
      r.name,
      fmtNs(r.threadlens),
      r.baselineName,
      fmtNs(r.baseline),
      `${r.ratio.toFixed(2)}x`,
      goalText(r.goal),
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
