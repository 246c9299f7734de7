// Happens-before from thread start and join only (DESIGN 5.2): vector clocks whose components
// tick when a thread starts a child. Other synchronization (locks, queues, events) is left out
// on purpose: an order it imposed in this run is timing, and the inversion must be reported.
import type { TraceEvent } from "../protocol/events.ts";
import type { AnalysisPass } from "./pass.ts";

/** An immutable vector clock; `id` identifies the snapshot (edge instances dedupe on it). */
export interface Stamp {
  readonly id: number;
  readonly clock: ReadonlyMap<number, number>;
}

/** Something that happened in `thread` at `stamp`. */
export interface Stamped {
  readonly thread: number;
  readonly stamp: Stamp;
}

/** `a` happens before `b`: `b`'s thread had learned of `a`'s point in `a`'s thread. */
export function happensBefore(a: Stamped, b: Stamped): boolean {
  if (a.thread === b.thread) return a.stamp.id <= b.stamp.id;
  const own = a.stamp.clock.get(a.thread) ?? 1;
  return (b.stamp.clock.get(a.thread) ?? 0) >= own;
}

/** Neither happens before the other. */
export function concurrent(a: Stamped, b: Stamped): boolean {
  return !happensBefore(a, b) && !happensBefore(b, a);
}

export class HappensBefore implements AnalysisPass {
  readonly #clocks = new Map<number, Stamp>();
  #nextId = 1;

  #stamp(clock: ReadonlyMap<number, number>): Stamp {
    return { id: this.#nextId++, clock };
  }

  /** The current clock of `thread` (a thread seen without thread-start starts at 1). */
  stampOf(thread: number): Stamp {
    let stamp = this.#clocks.get(thread);
    if (stamp === undefined) {
      stamp = this.#stamp(new Map([[thread, 1]]));
      this.#clocks.set(thread, stamp);
    }
    return stamp;
  }

  /** The id of `thread`'s current stamp, 0 before it has one (unlike stampOf, makes none). */
  currentId(thread: number): number {
    return this.#clocks.get(thread)?.id ?? 0;
  }

  observe(event: TraceEvent): void {
    if (event.kind === "thread-start") this.#started(event.thread, event.object);
    else if (event.kind === "join-end" && event.flag) this.#joined(event.thread, event.object);
  }

  #started(child: number, parent: number): void {
    const clock = new Map<number, number>();
    if (parent !== 0 && parent !== child) {
      const parentStamp = this.stampOf(parent);
      for (const [thread, tick] of parentStamp.clock) clock.set(thread, tick);
      // The parent's later events are not known to the child.
      const next = new Map(parentStamp.clock);
      next.set(parent, (next.get(parent) ?? 1) + 1);
      this.#clocks.set(parent, this.#stamp(next));
    }
    // Events of the child applied before its start (batches out of order) keep their ticks.
    const before = this.#clocks.get(child);
    if (before !== undefined) mergeInto(clock, before.clock);
    clock.set(child, Math.max(clock.get(child) ?? 0, 1));
    this.#clocks.set(child, this.#stamp(clock));
  }

  #joined(joiner: number, joinee: number): void {
    if (joiner === joinee) return;
    const clock = new Map(this.stampOf(joiner).clock);
    mergeInto(clock, this.stampOf(joinee).clock);
    this.#clocks.set(joiner, this.#stamp(clock));
  }
}

function mergeInto(target: Map<number, number>, source: ReadonlyMap<number, number>): void {
  for (const [thread, tick] of source) target.set(thread, Math.max(target.get(thread) ?? 0, tick));
}
