// What the ids in events stand for (threads, primitives, call sites), built from MetaRecords.
// Records may arrive after the events that use them (the recorder gets them over another
// channel), so every lookup has a fallback and nothing is cached from a missing record.
import type { Frame, MetaRecord, ObjectKind, ThreadKind } from "../protocol/events.ts";
import { traitsOf, type PrimitiveTraits } from "../protocol/kinds.ts";
import type { FindingSite, SiteRole } from "../protocol/report.ts";
import { relativePath } from "../protocol/paths.ts";

export interface ThreadInfo {
  readonly ident: number;
  readonly name: string;
  readonly kind: ThreadKind;
  readonly parent: number;
  readonly daemon: boolean;
  /** The OS process of a thread of a child process (absent: the program's own process). */
  readonly pid?: number;
}

export interface ObjectInfo {
  readonly id: number;
  readonly kind: ObjectKind;
  readonly name: string;
  readonly site: number;
  readonly capacity: number;
}

/** The name runtime/instrument/branchPath.ts gives a branch: "main/Promise.all[1]@app.ts:17". */
const BRANCH_NAME = /\/Promise\.(?:all|allSettled|any|race)\[\d+\](?:@[^/]*)?$/;

/** A hostile trace could make a task its own ancestor; parent chains longer than this stop. */
const MAX_PARENT_CHAIN = 1024;

/** In the lock-order graph: a lock kind, or an object whose record has not arrived. */
export function isLockLikeKind(kind: ObjectKind | undefined): boolean {
  return traitsOf(kind).lock;
}

export class Dictionary {
  readonly #threads = new Map<number, ThreadInfo>();
  readonly #objects = new Map<number, ObjectInfo>();
  readonly #sites = new Map<number, readonly Frame[]>();
  #droppedEvents = 0;
  #objectRecords = 0;

  add(record: MetaRecord): void {
    switch (record.type) {
      case "thread":
        this.#threads.set(record.ident, record);
        break;
      case "object":
        this.#objects.set(record.id, record);
        this.#objectRecords++;
        break;
      case "site":
        this.#sites.set(record.id, record.frames);
        break;
      case "dropped":
        this.#droppedEvents += record.count;
        break;
    }
  }

  get droppedEvents(): number {
    return this.#droppedEvents;
  }

  /** Object records added so far: what was derived from object kinds is stale when it grows. */
  get objectRecords(): number {
    return this.#objectRecords;
  }

  thread(ident: number): ThreadInfo | undefined {
    return this.#threads.get(ident);
  }

  threads(): IterableIterator<ThreadInfo> {
    return this.#threads.values();
  }

  object(id: number): ObjectInfo | undefined {
    return this.#objects.get(id);
  }

  objectKind(id: number): ObjectKind | undefined {
    return this.#objects.get(id)?.kind;
  }

  /** What the object's kind means (kinds.ts); a plain Lock's while its record has not arrived. */
  traits(id: number): PrimitiveTraits {
    return traitsOf(this.#objects.get(id)?.kind);
  }

  threadName(ident: number): string {
    return this.#threads.get(ident)?.name ?? `thread-${ident}`;
  }

  /**
   * The logical thread whose identity a lock's owner word holds for `ident`: a Promise.all
   * branch (DESIGN 3.1) is told apart in the recording only; at run time it owns locks, and
   * re-enters an RLock, as the thread that started it (runtime/recordIdent.ts).
   */
  runtimeOwner(ident: number): number {
    let at = ident;
    for (let i = 0; i < MAX_PARENT_CHAIN; i++) {
      const info = this.#threads.get(at);
      if (info === undefined || info.kind !== "task" || !BRANCH_NAME.test(info.name)) return at;
      at = info.parent;
    }
    return at;
  }

  objectName(id: number): string {
    return this.#objects.get(id)?.name ?? `object-${id}`;
  }

  /** Frames of a call site, innermost first (empty when unknown or not captured). */
  frames(site: number): readonly Frame[] {
    return site === 0 ? [] : (this.#sites.get(site) ?? []);
  }

  /** The innermost frame of a call site: the line of user code that made the call. */
  userFrame(site: number): Frame | undefined {
    return this.frames(site)[0];
  }

  /**
   * The ident of the OS thread's own logical thread (main or worker) that runs `ident`: tasks
   * run on the thread that spawned them, so their parent chain leads there.
   */
  hostOf(ident: number): number {
    let current = ident;
    for (let i = 0; i < MAX_PARENT_CHAIN; i++) {
      const info = this.#threads.get(current);
      if (info === undefined || info.kind !== "task" || info.parent === 0) return current;
      current = info.parent;
    }
    return current;
  }
}

/** A finding site for call site `site`, or undefined when the site was not captured. */
export function findingSite(
  dict: Dictionary,
  cwd: string,
  site: number,
  thread: number,
  role: SiteRole,
): FindingSite | undefined {
  const frame = dict.userFrame(site);
  if (frame === undefined) return undefined;
  return {
    file: relativePath(frame.file, cwd),
    line: frame.line,
    column: frame.column,
    thread: dict.threadName(thread),
    role,
  };
}

/** `src/app.ts:12`, for messages; empty when the site is unknown. */
export function siteText(dict: Dictionary, cwd: string, site: number): string {
  const frame = dict.userFrame(site);
  return frame === undefined ? "" : `${relativePath(frame.file, cwd)}:${frame.line}`;
}
