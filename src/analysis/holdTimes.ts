// The hold times of one lock, for its quantiles (lockStats.ts), in memory that does not grow
// with the number of holds: every time is kept until there are EXACT_LIMIT of them (the
// quantiles are exact then), after which they are counted in buckets of a log-linear histogram
// (HDR-style: exact below 2^SUB_BITS µs, then SUB_BITS - 1 significant bits, so a quantile is
// at most 0.2% below the exact one). A flood of millions of acquisitions of one semaphore kept
// one number per hold for the whole run before (issue 12); now a lock holds at most a few
// thousand buckets, whatever the run's length.

/** Times kept one by one up to this many; then the histogram. */
export const EXACT_LIMIT = 4096;
const SUB_BITS = 10;
const SUB = 2 ** SUB_BITS;
const HALF = SUB / 2;

/** The bucket of a time (µs, >= 0): the time itself below SUB, else shift and mantissa. */
export function bucketOf(micros: number): number {
  const v = Math.max(0, Math.round(micros));
  if (v < SUB) return v;
  let shift = v < 2 ** 32 ? 32 - Math.clz32(v) - SUB_BITS : 32 - SUB_BITS;
  while (v >= SUB * 2 ** shift) shift++;
  // v / 2^shift is in [HALF, SUB): the key is unique and sorts as the times do.
  return shift * HALF + Math.floor(v / 2 ** shift);
}

/** The smallest time of a bucket (what its times are reported as). */
export function bucketFloor(bucket: number): number {
  if (bucket < SUB) return bucket;
  const shift = Math.floor(bucket / HALF) - 1;
  const mantissa = bucket - shift * HALF;
  return mantissa * 2 ** shift;
}

/** The q-quantile (0..1) of ascending `sorted` (nearest rank); 0 when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[rankOf(q, sorted.length)] ?? 0;
}

function rankOf(q: number, n: number): number {
  return Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
}

export class HoldTimes {
  #exact: number[] | undefined = [];
  readonly #buckets = new Map<number, number>();
  #count = 0;
  #max = 0;

  get count(): number {
    return this.#count;
  }

  /** Numbers kept: the times themselves, then the histogram's buckets. */
  get stored(): number {
    return this.#exact?.length ?? this.#buckets.size;
  }

  /** The longest time added (exact); 0 when none. */
  get max(): number {
    return this.#max;
  }

  add(micros: number): void {
    this.#count++;
    if (micros > this.#max) this.#max = micros;
    const exact = this.#exact;
    if (exact !== undefined) {
      exact.push(micros);
      if (exact.length < EXACT_LIMIT) return;
      this.#exact = undefined;
      for (const t of exact) this.#bucket(t);
      return;
    }
    this.#bucket(micros);
  }

  #bucket(micros: number): void {
    const b = bucketOf(micros);
    this.#buckets.set(b, (this.#buckets.get(b) ?? 0) + 1);
  }

  /** Quantiles (each 0..1) by nearest rank, in the order asked; 0 when there is no time. */
  quantiles(qs: readonly number[]): number[] {
    const n = this.#count;
    if (n === 0) return qs.map(() => 0);
    const exact = this.#exact;
    if (exact !== undefined) {
      const sorted = [...exact].sort((a, b) => a - b);
      return qs.map((q) => quantile(sorted, q));
    }
    const buckets = [...this.#buckets].sort(([a], [b]) => a - b);
    return qs.map((q) => {
      const rank = rankOf(q, n);
      let seen = 0;
      for (const [bucket, count] of buckets) {
        seen += count;
        if (seen > rank) return bucketFloor(bucket);
      }
      return this.#max;
    });
  }
}
