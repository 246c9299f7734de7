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

export interface Report {
  readonly version: 1;
  readonly program: string;
  readonly exitCode: number | null;
  readonly threads: readonly ReportThread[];
  readonly findings: readonly Finding[];
  readonly droppedEvents: number;
}
