// Storage of queue items in shared memory, so every thread's Queue object sees the same items.
// Items are v8-serialized records appended to a growable SharedArrayBuffer; FIFO takes the
// oldest live record, LIFO the newest, priority the one with the smallest key (oldest first
// among equals). Dead records are reclaimed by compaction when the buffer runs out of room.
// Callers hold the queue's lock around every call.
import { v8 } from "../protocol/lazyBuiltins.ts";
import { REMOTE_FIELD } from "../protocol/primitiveWire.ts";
import { KIND_FIELD, revive } from "./primitive.ts";

const HEADER = 24; // u32 length, u32 alive, i32 previous live record (LIFO), u32 pad, f64 key
const MAX_BYTES = 256 * 1024 * 1024;
const INITIAL_BYTES = 4096;

// Control words (in the queue's shared control array, from `base`).
const HEAD = 0; // offset of the oldest record that may be alive
const TAIL = 1; // end of the last record
const TOP = 2; // offset of the newest live record, -1 if none
export const STORE_WORDS = 3;

export type Order = "fifo" | "lifo" | "priority";

function align8(n: number): number {
  return (n + 7) & ~7;
}

export function newStoreBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(INITIAL_BYTES, { maxByteLength: MAX_BYTES });
}

export function initStore(ctl: Int32Array, base: number): void {
  ctl[base + HEAD] = 0;
  ctl[base + TAIL] = 0;
  ctl[base + TOP] = -1;
}

// Primitives inside items (DESIGN 3.3): an item's bytes cannot hold a primitive's shared
// memory, so a primitive goes in as its handle (process/sharing.ts: the owner's server serves
// it to every process) and comes out as the primitive again, the same object where it is known
// (revive), so a Lock put on a queue arrives usable, with its identity, in any thread or
// process. The marks are looked for in the bytes: items without primitives pay one search.
const PRIMITIVE_MARK = Buffer.from(KIND_FIELD);
const HANDLE_MARK = Buffer.from(REMOTE_FIELD);
let toHandles: (item: unknown) => unknown = (item) => item;
/** The owner's primitive server passes items on as they are (its callers revive them). */
let asStored = false;

/** How primitives become handles (sharing.ts, which needs this module: set at its load). */
export function setItemSharing(sendable: (item: unknown) => unknown): void {
  toHandles = sendable;
}

/** `item` with its primitives as their handles (an item sent to another process's queue). */
export function withHandles(item: unknown): unknown {
  return toHandles(item);
}

/** In the primitive server: items are handed on to their getters as stored. */
export function keepItemsAsStored(): void {
  asStored = true;
}

function has(bytes: Uint8Array, mark: Buffer): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(mark) >= 0;
}

export function encodeItem(item: unknown): Uint8Array {
  const bytes = v8().serialize(item);
  return asStored || !has(bytes, PRIMITIVE_MARK) ? bytes : v8().serialize(toHandles(item));
}

export function decodeItem(bytes: Uint8Array): unknown {
  const item: unknown = v8().deserialize(bytes);
  return asStored || !has(bytes, HANDLE_MARK) ? item : revive(item);
}

export class ItemStore {
  constructor(
    private readonly ctl: Int32Array,
    private readonly base: number,
    private readonly data: SharedArrayBuffer,
  ) {}

  #get(word: number): number {
    return this.ctl[this.base + word] ?? 0;
  }

  #set(word: number, value: number): void {
    this.ctl[this.base + word] = value;
  }

  /** Appends a record; throws RangeError when the item cannot fit even after growing. */
  add(bytes: Uint8Array, key: number): void {
    const size = HEADER + align8(bytes.length);
    if (this.#get(TAIL) + size > this.data.byteLength) this.#makeRoom(size);
    const at = this.#get(TAIL);
    const view = new DataView(this.data);
    view.setUint32(at, bytes.length, true);
    view.setUint32(at + 4, 1, true);
    view.setInt32(at + 8, this.#get(TOP), true);
    view.setFloat64(at + 16, key, true);
    new Uint8Array(this.data, at + HEADER, bytes.length).set(bytes);
    this.#set(TOP, at);
    this.#set(TAIL, at + size);
  }

  /** Removes and returns the next record's bytes by `order`; undefined when empty. */
  take(order: Order): Uint8Array | undefined {
    const at =
      order === "lifo" ? this.#get(TOP) : order === "fifo" ? this.#firstLive() : this.#minKey();
    if (at < 0) return undefined;
    const view = new DataView(this.data);
    const length = view.getUint32(at, true);
    const bytes = new Uint8Array(this.data, at + HEADER, length).slice();
    view.setUint32(at + 4, 0, true);
    this.#afterRemove(at, view);
    return bytes;
  }

  #firstLive(): number {
    const view = new DataView(this.data);
    const tail = this.#get(TAIL);
    for (let at = this.#get(HEAD); at < tail; at += HEADER + align8(view.getUint32(at, true))) {
      if (view.getUint32(at + 4, true) === 1) return at;
    }
    return -1;
  }

  #minKey(): number {
    const view = new DataView(this.data);
    const tail = this.#get(TAIL);
    let best = -1;
    let bestKey = Infinity;
    for (let at = this.#get(HEAD); at < tail; at += HEADER + align8(view.getUint32(at, true))) {
      if (view.getUint32(at + 4, true) !== 1) continue;
      const key = view.getFloat64(at + 16, true);
      if (best < 0 || key < bestKey) {
        best = at;
        bestKey = key;
      }
    }
    return best;
  }

  #afterRemove(removed: number, view: DataView): void {
    // Keep TOP at the newest live record: walk back over dead ones.
    let top = this.#get(TOP);
    while (top >= 0 && view.getUint32(top + 4, true) === 0) top = view.getInt32(top + 8, true);
    this.#set(TOP, top);
    if (top < 0) {
      // Empty: start over at the beginning of the buffer.
      this.#set(HEAD, 0);
      this.#set(TAIL, 0);
      return;
    }
    if (removed === this.#get(HEAD)) {
      let head = removed;
      const tail = this.#get(TAIL);
      while (head < tail && view.getUint32(head + 4, true) === 0)
        head += HEADER + align8(view.getUint32(head, true));
      this.#set(HEAD, head);
    }
  }

  /** Compacts live records to the front, growing the buffer if that is not enough. */
  #makeRoom(size: number): void {
    const view = new DataView(this.data);
    const live: Uint8Array[] = [];
    const tail = this.#get(TAIL);
    for (let at = this.#get(HEAD); at < tail;) {
      const recordSize = HEADER + align8(view.getUint32(at, true));
      if (view.getUint32(at + 4, true) === 1)
        live.push(new Uint8Array(this.data, at, recordSize).slice());
      at += recordSize;
    }
    const used = live.reduce((n, r) => n + r.length, 0);
    if (used + size > this.data.byteLength) {
      let capacity = this.data.byteLength;
      while (used + size > capacity) capacity *= 2;
      if (capacity > this.data.maxByteLength) {
        if (used + size > this.data.maxByteLength) {
          throw new RangeError(`queue storage is full (${this.data.maxByteLength} bytes)`);
        }
        capacity = this.data.maxByteLength;
      }
      this.data.grow(capacity);
    }
    const bytes = new Uint8Array(this.data);
    const out = new DataView(this.data);
    let at = 0;
    let previous = -1;
    for (const record of live) {
      bytes.set(record, at);
      out.setInt32(at + 8, previous, true);
      previous = at;
      at += record.length;
    }
    this.#set(HEAD, 0);
    this.#set(TAIL, at);
    this.#set(TOP, previous);
  }
}
