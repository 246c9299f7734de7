// What every primitive shares: a kind tag, a process-wide id, a name, and state that lives in
// shared memory. Only those travel when a primitive is posted to another thread (structured
// clone copies own enumerable fields and shares SharedArrayBuffers); revive() turns the copy
// back into the one object per id that this thread knows.
import { nextObjectId } from "./world.ts";
import { callerSite, defaultName, type SourceSite } from "./naming.ts";
import { optionalName } from "./validate.ts";
import { REMOTE_FIELD } from "../protocol/primitiveWire.ts";

/** The field that marks a posted primitive; its value is the primitive's kind. */
export const KIND_FIELD = "__threadlens__";

export interface Shared {
  readonly [KIND_FIELD]: string;
  readonly id: number;
  readonly name: string;
}

/** Identity of a new primitive: a fresh id, and the name given or read from the creation site. */
export interface Identity {
  readonly id: number;
  readonly name: string;
  readonly site: SourceSite | undefined;
}

export function newIdentity(kind: string, name: unknown, internal = false): Identity {
  const given = optionalName(`new ${kind}()`, name);
  if (internal) return { id: nextObjectId(), name: given ?? kind, site: undefined };
  const site = callerSite();
  return { id: nextObjectId(), name: given ?? defaultName(kind, site), site };
}

type Reviver = (copy: Record<string, unknown>) => object;
const revivers = new Map<string, Reviver>();
const known = new Map<number, WeakRef<object>>();

/** Registers how to rebuild a posted primitive of `kind` from its structured-clone copy. */
export function registerReviver(kind: string, reviver: Reviver): void {
  revivers.set(kind, reviver);
}

/** Forgets the ids of collected primitives. */
const forget = new FinalizationRegistry<number>((id) => {
  if (known.get(id)?.deref() === undefined) known.delete(id);
});

function rememberNow(id: number, obj: object): void {
  known.set(id, new WeakRef(obj));
  forget.register(obj, id);
}

/** The getter of KIND_FIELD for each kind: one function per kind, so primitives share maps. */
const kindGetters = new Map<string, (this: { readonly id: number }) => string>();

function kindGetter(kind: string): (this: { readonly id: number }) => string {
  let getter = kindGetters.get(kind);
  if (getter === undefined) {
    getter = function postedKind(this: { readonly id: number }): string {
      if (known.get(this.id)?.deref() !== this) rememberNow(this.id, this);
      return kind;
    };
    kindGetters.set(kind, getter);
  }
  return getter;
}

/**
 * Gives `obj`, a new primitive of `kind`, its KIND_FIELD, and records it as this thread's
 * object for its id (so later copies revive to it) when it is first posted: a copy of a
 * primitive can only come back after the primitive was posted, and posting it (structured
 * clone, a Process's arguments) reads its KIND_FIELD, so that field is a getter that remembers
 * it then. Remembering it at once took a WeakRef to every new primitive, and the engine keeps a
 * WeakRef's target alive to the end of the running job: a long synchronous loop creating
 * primitives kept every one of them (about 1 KB each) until it ended. `known` forgets
 * collected primitives.
 *
 * The field is added here as an accessor, never first as a data property (the classes
 * `declare` it): V8 turns an object whose data property becomes an accessor into a dictionary
 * of properties, and then every property and private field access of the primitive, on every
 * acquire and release, was a lookup through an inline cache stub (about half of an
 * uncontended Lock acquire and release, recording or not).
 */
export function remember(obj: { readonly id: number }, kind: string): void {
  showAsString(obj);
  Object.defineProperty(obj, KIND_FIELD, {
    get: kindGetter(kind),
    enumerable: true,
    configurable: true,
  });
}

/** The key node:util's inspect (console.log, the REPL) looks up for an object's own view. */
const INSPECT = Symbol.for("nodejs.util.inspect.custom");

function inspectAsString(this: object): string {
  return String(this);
}

/**
 * console.log(lock) shows what the primitive's toString says (`Lock(accounts)`,
 * `Event(ready, set)`), not its shared-memory words and the internal kind field: installed
 * once per class, on the prototype.
 */
function showAsString(obj: object): void {
  const proto = Object.getPrototypeOf(obj) as object | null;
  if (proto === null || proto === Object.prototype || Object.hasOwn(proto, INSPECT)) return;
  Object.defineProperty(proto, INSPECT, { value: inspectAsString, configurable: true });
}

/** This thread's object for `id`, if it has met it. */
export function knownObject(id: number): object | undefined {
  return known.get(id)?.deref();
}

function reviveOne(copy: Record<string, unknown>): object {
  const id = copy["id"];
  if (typeof id === "number") {
    const existing = known.get(id)?.deref();
    if (existing !== undefined) return existing;
  }
  const reviver = revivers.get(String(copy[KIND_FIELD]));
  if (reviver === undefined) return copy;
  const obj = reviver(copy);
  if (typeof id === "number") rememberNow(id, obj);
  return obj;
}

function isPlainContainer(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null || Array.isArray(value);
}

/**
 * Replaces, in place, every posted primitive inside `value` (arrays, plain objects, Maps and
 * Sets, at any depth; cycles are fine) by the live primitive, and returns the revived value.
 */
export function revive(value: unknown): unknown {
  return reviveIn(value, new WeakMap());
}

function reviveIn(value: unknown, seen: WeakMap<object, unknown>): unknown {
  if (value === null || typeof value !== "object") return value;
  // A copy met again (shared reference or cycle) becomes what it became the first time.
  if (seen.has(value)) return seen.get(value);
  if (
    ArrayBuffer.isView(value) ||
    value instanceof ArrayBuffer ||
    value instanceof SharedArrayBuffer
  ) {
    return value;
  }
  seen.set(value, value);
  if (value instanceof Map) {
    for (const [k, v] of value) value.set(k, reviveIn(v, seen));
    return value;
  }
  if (value instanceof Set) {
    const items = [...value];
    value.clear();
    for (const item of items) value.add(reviveIn(item, seen));
    return value;
  }
  if (!isPlainContainer(value)) return value;
  const record = value as Record<string, unknown>;
  // A primitive of another process sent as its handle (process/sharing.ts).
  const handle = record[REMOTE_FIELD];
  const remote = handle === undefined ? undefined : revivers.get(REMOTE_FIELD);
  if (remote !== undefined) {
    const live = remote({ [REMOTE_FIELD]: handle });
    seen.set(value, live);
    return live;
  }
  if (typeof record[KIND_FIELD] === "string") {
    const live = reviveOne(record);
    seen.set(value, live);
    return live;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = reviveIn(value[i], seen);
    return value;
  }
  for (const key of Object.keys(record)) record[key] = reviveIn(record[key], seen);
  return value;
}
