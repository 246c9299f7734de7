// What a thread holds, interned as one number: a node in a tree whose paths are the holds
// (object and site where it was taken) in the order the thread took them, one root per thread.
// Taking a lock moves to a child, releasing the latest one back to the parent, so the current
// set costs a Map lookup per acquisition and release. The lock-order graph keys what it has
// recorded already on it, instead of rebuilding held lists and instance keys per acquisition.

/** A held set that was not interned (the tree reached its size bound): never cached. */
export const UNINTERNED = -1;

/** Nodes kept at most; beyond that new sets are UNINTERNED (a hostile or huge trace). */
const MAX_NODES = 1 << 20;

export class HeldSets {
  /** Per node: its parent (UNINTERNED for a root) and the object of its latest hold. */
  readonly #parent: number[] = [];
  readonly #object: number[] = [];
  /** Per node: object -> site -> child node. */
  readonly #children: (Map<number, Map<number, number>> | undefined)[] = [];

  /** A new empty set (a thread's root). */
  root(): number {
    return this.#node(UNINTERNED, 0);
  }

  /** `set` plus a hold on `object` taken at `site`, taken after the others. */
  withHold(set: number, object: number, site: number): number {
    if (set === UNINTERNED) return UNINTERNED;
    let byObject = this.#children[set];
    if (byObject === undefined) {
      byObject = new Map();
      this.#children[set] = byObject;
    }
    let bySite = byObject.get(object);
    if (bySite === undefined) {
      bySite = new Map();
      byObject.set(object, bySite);
    }
    const known = bySite.get(site);
    if (known !== undefined) return known;
    if (this.#parent.length >= MAX_NODES) return UNINTERNED;
    const child = this.#node(set, object);
    bySite.set(site, child);
    return child;
  }

  /** `set` without its latest hold when that is on `object`; undefined otherwise. */
  withoutLatest(set: number, object: number): number | undefined {
    if (set === UNINTERNED || this.#object[set] !== object) return undefined;
    const parent = this.#parent[set] as number;
    return parent === UNINTERNED ? undefined : parent;
  }

  /** The set of these holds, taken in this order, from the empty set `root`. */
  of(root: number, holds: Iterable<{ readonly object: number; readonly site: number }>): number {
    let set = root;
    for (const hold of holds) set = this.withHold(set, hold.object, hold.site);
    return set;
  }

  #node(parent: number, object: number): number {
    const id = this.#parent.length;
    this.#parent.push(parent);
    this.#object.push(object);
    this.#children.push(undefined);
    return id;
  }
}
