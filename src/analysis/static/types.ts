// The static analysis' vocabulary: lock identities, sites, holds, and what the walk of the
// functions records (lock-order edges, re-acquisitions of a held Lock).
import type ts from "typescript";
import type { ObjectKind } from "../../protocol/kinds.ts";

/** A lock kind (kinds.ts: trait `lock`) when known; "lock" for a lock of any kind (`AnyLock`). */
export type LockKind = ObjectKind | "lock";

/** A position in an analyzed file (absolute path as given, 1-based line and column). */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** One lock object, identified by the symbol it is reached through. */
export interface LockRef {
  /** Identity: `v<symbol>` for a variable, `f<symbol>` for a class field (per class). */
  readonly key: string;
  /** The name in findings: the runtime's name for it (`lockA`, `this.lockA`, or `new Lock("x")`'s x). */
  readonly name: string;
  /** The variable or field name (`lockA`, `this.lockA`), also matched by declared orders. */
  readonly alias: string;
  readonly kind: LockKind | undefined;
  /** Declaration order (file, then position): cycles start at the oldest lock. */
  readonly order: number;
  /** Where the lock is created (`new Lock(`), when the declaration shows it. */
  readonly creation: SourcePos | undefined;
}

/** An acquisition site, with the function it is in. */
export interface Site extends SourcePos {
  /** One id per site node. */
  readonly id: number;
  /** The function's name (`doA`, `Bank.transfer`, `<anonymous>`, `<module>` for module code). */
  readonly fn: string;
  /** Identity of the function node (two sites with equal fnId are in one function). */
  readonly fnId: number;
}

/** A lock held at some point of a function. */
export interface Hold {
  readonly lock: LockRef;
  readonly site: Site;
  /** Block whose end releases it (`using`), 0 when released explicitly. */
  readonly scope: number;
  /** The guard variable whose release() releases it (`const g = await x.lock()`). */
  readonly guard: ts.Symbol | undefined;
  /** Held on every path here (false: on some paths only). */
  readonly must: boolean;
  /** Held shared (an RWLock's read side): it excludes only exclusive holds. */
  readonly shared?: true;
}

/** Held locks at a point; undefined where the point cannot be reached. */
export type State = readonly Hold[] | undefined;

/** `to` taken while `from` is held. */
export interface StaticEdge {
  readonly from: LockRef;
  readonly to: LockRef;
  readonly held: Site;
  readonly acquire: Site;
  /** Keys of the other locks held at that moment (`key~r` for one held shared). */
  readonly gates: readonly string[];
  /** `from` is held shared. */
  readonly fromShared?: true;
  /** `to` is taken shared. */
  readonly toShared?: true;
}

/** A non-reentrant Lock taken again on a path that holds it. */
export interface Reacquire {
  readonly lock: LockRef;
  readonly held: Site;
  readonly acquire: Site;
}

/** Lexical environment of a walk: lock parameters bound at call sites, and `this`. */
export interface Env {
  readonly bindings: ReadonlyMap<ts.Symbol, LockRef | undefined>;
  /** `this.x` names the fields of the class whose method this is (false: another object). */
  readonly thisKnown: boolean;
}
