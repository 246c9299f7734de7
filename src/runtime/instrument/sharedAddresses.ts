// One object id for one shared word in every thread that uses it, when that can be proved.
//
// A SharedArrayBuffer arrives in a worker as a different JS object with nothing of ours on it,
// so instrument/atomics.ts could only name an address per thread. Where the buffer reaches the
// worker through workerData, the parent knows where: it walks workerData at `new Worker()`, gives
// each SharedArrayBuffer found an address table (a SharedArrayBuffer of our own, one int32 per
// 4-byte word of the program's buffer, 0 until the word gets an object id) and hands the worker
// [path in workerData, table] pairs with its bootstrap. Structured cloning keeps the shape of
// workerData, so the worker finds the same buffer at the same path. The first thread to use a
// word claims its id with compareExchange on the table and announces it; every other thread
// reads it. Buffers reached otherwise (postMessage, or too big for a table) keep per-thread
// addresses: the same word is then two objects, a missed identity, never an invented one.
import { nextObjectId } from "../world.ts";

/** A path of property names from workerData to a SharedArrayBuffer ("buffer" last for a view). */
export interface AddressTableEntry {
  readonly path: readonly string[];
  readonly table: SharedArrayBuffer;
}

/** Bigger buffers get no table (it would cost as much memory again as the buffer). */
const MAX_TABLE_BUFFER_BYTES = 1 << 20;
const MAX_WALK_DEPTH = 8;
const MAX_WALK_NODES = 2000;

const tables = new WeakMap<SharedArrayBuffer, Int32Array>();
/**
 * Where each tabled buffer is in workerData ("workerData.words"): the name its words get, the
 * same in every thread whichever uses a word first (a first-use site would depend on a race).
 */
const labels = new WeakMap<SharedArrayBuffer, string>();

function labelOf(path: readonly string[]): string {
  const parts = path.at(-1) === "buffer" ? path.slice(0, -1) : path;
  return ["workerData", ...parts].join(".");
}

function capacityOf(buffer: SharedArrayBuffer): number {
  const max = (buffer as { maxByteLength?: number }).maxByteLength;
  return typeof max === "number" ? max : buffer.byteLength;
}

/** Plain objects and arrays only: what structured cloning copies with the same own keys. */
function isPlainContainer(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Own enumerable data properties (no getter runs). */
function dataEntries(value: Record<string, unknown>): [string, unknown][] {
  const entries: [string, unknown][] = [];
  for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(value))) {
    if (descriptor.enumerable === true && "value" in descriptor) {
      entries.push([key, descriptor.value]);
    }
  }
  return entries;
}

/** Every SharedArrayBuffer in `data` reachable through plain objects, arrays and views. */
function findBuffers(data: unknown): { path: string[]; buffer: SharedArrayBuffer }[] {
  const found: { path: string[]; buffer: SharedArrayBuffer }[] = [];
  const seen = new Set<unknown>();
  let nodes = 0;
  const visit = (value: unknown, path: string[]): void => {
    if (++nodes > MAX_WALK_NODES || seen.has(value)) return;
    if (value instanceof SharedArrayBuffer) {
      seen.add(value);
      found.push({ path, buffer: value });
    } else if (ArrayBuffer.isView(value) && value.buffer instanceof SharedArrayBuffer) {
      seen.add(value);
      found.push({ path: [...path, "buffer"], buffer: value.buffer });
    } else if (isPlainContainer(value) && path.length < MAX_WALK_DEPTH) {
      seen.add(value);
      for (const [key, child] of dataEntries(value)) visit(child, [...path, key]);
    }
  };
  visit(data, []);
  return found;
}

/** Parent side, at `new Worker()`: the tables for the buffers in `workerData`. */
export function addressTablesFor(workerData: unknown): AddressTableEntry[] {
  const entries: AddressTableEntry[] = [];
  for (const { path, buffer } of findBuffers(workerData)) {
    let table = tables.get(buffer);
    if (table === undefined) {
      const bytes = capacityOf(buffer);
      if (bytes > MAX_TABLE_BUFFER_BYTES) continue;
      table = new Int32Array(new SharedArrayBuffer(Math.ceil(bytes / 4) * 4));
      tables.set(buffer, table);
      labels.set(buffer, labelOf(path));
    }
    entries.push({ path, table: table.buffer as SharedArrayBuffer });
  }
  return entries;
}

/** Worker side, at start: the parent's tables, found at the same paths in our workerData. */
export function adoptAddressTables(workerData: unknown, entries: readonly AddressTableEntry[]) {
  for (const { path, table } of entries) {
    let value = workerData;
    for (const key of path) {
      if (value === null || typeof value !== "object") break;
      value = (value as Record<string, unknown>)[key];
    }
    if (!(value instanceof SharedArrayBuffer) || !(table instanceof SharedArrayBuffer)) continue;
    if (table.byteLength < capacityOf(value) || tables.has(value)) continue;
    tables.set(value, new Int32Array(table));
    labels.set(value, labelOf(path));
  }
}

/** "workerData.words" for a buffer with an address table, else undefined. */
export function sharedAddressLabel(buffer: ArrayBufferLike): string | undefined {
  return buffer instanceof SharedArrayBuffer ? labels.get(buffer) : undefined;
}

/**
 * The id all threads share for the word at `byteOffset` of `buffer`, or undefined when the
 * buffer has no table. `announceNew` runs only in the thread that claimed a new id.
 */
export function sharedAddressId(
  buffer: ArrayBufferLike,
  byteOffset: number,
  announceNew: (id: number) => void,
): number | undefined {
  const table = buffer instanceof SharedArrayBuffer ? tables.get(buffer) : undefined;
  const word = byteOffset >> 2;
  if (table === undefined || word >= table.length) return undefined;
  const known = Atomics.load(table, word);
  if (known !== 0) return known;
  const id = nextObjectId();
  const raced = Atomics.compareExchange(table, word, 0, id);
  if (raced !== 0) return raced;
  announceNew(id);
  return id;
}
