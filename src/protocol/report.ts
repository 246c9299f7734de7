// The report of `threadlens run --json` / `threadlens check --json` (DESIGN section 8), and the
// findings the adapter and the extension show. Field names are a public contract.

export const FINDING_KINDS = [
  "deadlock",
  "potential-deadlock",
  "self-deadlock",
  "hang",
  "bad-release",
  "over-release",
  "unjoined-thread",
  "lock-held-at-exit",
  "pool-misuse",
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** What a site is in a finding. */
export type SiteRole =
  | "holds" //     where the thread took a lock it still holds
  | "waits" //     where the thread is blocked
  | "acquires" //  lock-order edge: acquired here while holding another
  | "held" //      lock-order edge: the other lock was taken here
  | "created" //   where the primitive was created
  | "misuse"; //   where the misuse happened

export interface FindingSite {
  /** Relative to the working directory. */
  readonly file: string;
  /** 1-based, in the TypeScript source. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  /** Thread name. */
  readonly thread: string;
  readonly role: SiteRole;
  /**
   * The primitive this site holds or waits for, by name, where the finding knows it (a
   * deadlock's holds and waits sites): what the editor's one-line diagnostics name.
   */
  readonly lock?: string;
}

export interface Replacement {
  /** 1-based line and column of the first character replaced. */
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly newText: string;
}

export interface TextEdit {
  readonly file: string;
  readonly replacements: readonly Replacement[];
}

export type SuggestionKind =
  | "use-rlock"
  | "global-order"
  | "acquire-all"
  | "add-timeout"
  /** A Condition wait that missed its notify: wait with waitFor(predicate) instead. */
  | "use-wait-for";

export interface Suggestion {
  readonly kind: SuggestionKind;
  readonly message: string;
  readonly edit?: TextEdit;
}

export interface Finding {
  readonly kind: FindingKind;
  readonly message: string;
  /** Every primitive in the finding, by name. */
  readonly locks: readonly string[];
  /** Every thread in the finding, by name. */
  readonly threads: readonly string[];
  readonly sites: readonly FindingSite[];
  readonly suggestions: readonly Suggestion[];
  /** `run --confirm` (DESIGN 8.1): whether a directed rerun made the predicted deadlock happen. */
  readonly confirmed?: boolean;
  /** The schedule token that makes it happen (`run --schedule`, the `schedule` launch attribute). */
  readonly schedule?: string;
  /** `run --confirm`: how many reruns were tried, and why none deadlocked when that is known. */
  readonly confirmation?: { readonly reruns: number; readonly reason?: string };
}

/** `explore` (DESIGN 8.1): how many runs were made, with which strategy and base seed. */
export interface Explored {
  readonly runs: number;
  readonly strategy: "random" | "pct";
  readonly seed: number;
  /** What the reported run did (deadlocked, hung, failed, threw); absent when none did. */
  readonly failure?: string;
  /**
   * `explore --shrink`: the failing schedule reduced to the fewest forced switches (priority
   * changes) that still fail the same way; the report's run and `schedule` are the shrunk one's.
   */
  readonly shrunk?: {
    /** Forced switches of the run found, and of the shrunk schedule. */
    readonly from: number;
    readonly to: number;
    /** Reruns the shrinking took (each a run of the program). */
    readonly reruns: number;
    /** Each remaining switch: "first after acquiring Lock lockA". */
    readonly switches: readonly string[];
  };
}

export interface ReportThread {
  readonly name: string;
  readonly ident: number;
  readonly kind: "main" | "worker" | "task";
  readonly state: "exited" | "running" | "blocked";
  /** Where it is blocked (or was last seen), innermost frame first. */
  readonly stack: readonly {
    readonly file: string;
    readonly line: number;
    readonly column: number;
    readonly function: string;
  }[];
}

/**
 * A child process of the run that died without exiting (a signal such as SIGKILL or SIGTERM, a
 * crash): its recording ends with what its recorder had passed on, up to its last drain (every
 * 5 ms) before the death; later events of its threads are not in the trace (DESIGN 3.3).
 */
export interface CutProcess {
  /** The process's name (its main thread's). */
  readonly name: string;
  readonly pid: number;
}

export interface Report {
  readonly version: 1;
  readonly program: string;
  readonly exitCode: number | null;
  readonly threads: readonly ReportThread[];
  readonly findings: readonly Finding[];
  readonly droppedEvents: number;
  /** Child processes whose recording their death cut short; absent when none. */
  readonly cutProcesses?: readonly CutProcess[];
  /** Per lock and semaphore, most contended first (a recorder's report always has it). */
  readonly lockStats?: readonly LockStats[];
  /** `explore`: the schedule of the reported run (replay it with `run --schedule`). */
  readonly schedule?: string;
  readonly explored?: Explored;
}

/**
 * One lock's or semaphore's figures over a run (report field `lockStats`, `threadlens run
 * --stats`, the Locks view). Times in microseconds; counts cover the recorded acquisitions.
 */
export interface LockStats {
  readonly lock: string;
  readonly kind: string;
  readonly acquisitions: number;
  /** Acquisitions that had to wait. */
  readonly contended: number;
  /** contended / acquisitions, 0..1. */
  readonly contention: number;
  /** Median and 99th percentile of the ended holds. */
  readonly holdP50: number;
  readonly holdP99: number;
  /** Longest hold, one still going counted up to the end of the recording. */
  readonly holdMax: number;
  /** Time all takers spent waiting for it, and the longest single wait. */
  readonly waitTotal: number;
  readonly waitMax: number;
  /** Holders and waiters at the end of the recording (or now, live). */
  readonly holders: readonly string[];
  readonly waiters: readonly string[];
}
