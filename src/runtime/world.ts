// The process-wide shared state every thread sees: id counters and the table of live logical
// threads. It is one SharedArrayBuffer handed to every worker through worker_threads'
// environment data (which new workers inherit), so ids are unique across all threads.
import {
  getEnvironmentData,
  setEnvironmentData,
  isMainThread,
  threadId,
} from "node:worker_threads";

const ENV_KEY = "threadlens:world";

/** Header words. */
const NEXT_OBJECT_ID = 0;
const NEXT_LTID = 1;
const NEXT_THREAD_NUMBER = 2;
const NEXT_TASK_NUMBER = 3;
const TABLE_HIGH_WATER = 4;
const HEADER_WORDS = 16;

/** Thread table: fixed slots of SLOT_WORDS int32 words. */
export const SLOT_WORDS = 32;
export const TABLE_SLOTS = 4096;
const S_STATE = 0; // 0 free, 1 alive
const S_LTID = 1;
const S_KIND = 2;
const S_DAEMON = 3;
const S_NAME_LEN = 4;
const S_NAME = 5; // name bytes start at this word
const NAME_BYTES = (SLOT_WORDS - S_NAME) * 4;

export type LogicalThreadKind = "main" | "worker" | "task";
const KIND_CODES: readonly LogicalThreadKind[] = ["main", "worker", "task"];

interface World {
  readonly words: Int32Array;
  readonly bytes: Uint8Array;
}

let world: World | undefined;

function createWorld(): World {
  const sab = new SharedArrayBuffer((HEADER_WORDS + TABLE_SLOTS * SLOT_WORDS) * 4);
  const words = new Int32Array(sab);
  // Ids start past 0 so that 0 can mean "nobody" in every shared word. A world created in a
  // worker whose parent never set one (threadlens loaded only in workers) offsets its ids by
  // the worker's threadId so they still cannot collide with a sibling's.
  const base = isMainThread ? 1 : threadId * 1_000_000;
  words[NEXT_OBJECT_ID] = base;
  words[NEXT_LTID] = base;
  words[NEXT_THREAD_NUMBER] = 1;
  words[NEXT_TASK_NUMBER] = 1;
  return { words, bytes: new Uint8Array(sab) };
}

function getWorld(): World {
  if (world !== undefined) return world;
  const inherited = getEnvironmentData(ENV_KEY);
  if (inherited instanceof SharedArrayBuffer) {
    world = { words: new Int32Array(inherited), bytes: new Uint8Array(inherited) };
  } else {
    world = createWorld();
    setEnvironmentData(ENV_KEY, world.words.buffer as SharedArrayBuffer);
  }
  return world;
}

/** Makes sure workers started from now on share this thread's world. */
export function ensureWorld(): void {
  getWorld();
}

export function nextObjectId(): number {
  return Atomics.add(getWorld().words, NEXT_OBJECT_ID, 1);
}

export function nextLogicalThreadId(): number {
  return Atomics.add(getWorld().words, NEXT_LTID, 1);
}

export function nextThreadNumber(): number {
  return Atomics.add(getWorld().words, NEXT_THREAD_NUMBER, 1);
}

export function nextTaskNumber(): number {
  return Atomics.add(getWorld().words, NEXT_TASK_NUMBER, 1);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Enters a logical thread in the table; returns its slot, or -1 when the table is full (the
 * thread then runs normally but is missing from enumerate()).
 */
export function enterThreadTable(
  ltid: number,
  kind: LogicalThreadKind,
  name: string,
  daemon: boolean,
): number {
  const { words, bytes } = getWorld();
  for (let slot = 0; slot < TABLE_SLOTS; slot++) {
    const base = HEADER_WORDS + slot * SLOT_WORDS;
    if (Atomics.compareExchange(words, base + S_STATE, 0, 2) !== 0) continue;
    words[base + S_LTID] = ltid;
    words[base + S_KIND] = KIND_CODES.indexOf(kind);
    words[base + S_DAEMON] = daemon ? 1 : 0;
    const encoded = encoder.encode(name).subarray(0, NAME_BYTES);
    bytes.set(encoded, (base + S_NAME) * 4);
    words[base + S_NAME_LEN] = encoded.length;
    Atomics.store(words, base + S_STATE, 1);
    for (;;) {
      const high = Atomics.load(words, TABLE_HIGH_WATER);
      if (high > slot) break;
      if (Atomics.compareExchange(words, TABLE_HIGH_WATER, high, slot + 1) === high) break;
    }
    return slot;
  }
  return -1;
}

export function leaveThreadTable(slot: number): void {
  if (slot < 0) return;
  Atomics.store(getWorld().words, HEADER_WORDS + slot * SLOT_WORDS + S_STATE, 0);
}

export interface ThreadTableEntry {
  readonly ident: number;
  readonly kind: LogicalThreadKind;
  readonly name: string;
  readonly daemon: boolean;
}

/** Every live logical thread of the process, in table order (roughly creation order). */
export function readThreadTable(): ThreadTableEntry[] {
  const { words, bytes } = getWorld();
  const high = Atomics.load(words, TABLE_HIGH_WATER);
  const out: ThreadTableEntry[] = [];
  for (let slot = 0; slot < high; slot++) {
    const base = HEADER_WORDS + slot * SLOT_WORDS;
    if (Atomics.load(words, base + S_STATE) !== 1) continue;
    const len = words[base + S_NAME_LEN] ?? 0;
    const start = (base + S_NAME) * 4;
    out.push({
      ident: words[base + S_LTID] ?? 0,
      kind: KIND_CODES[words[base + S_KIND] ?? 0] ?? "main",
      daemon: words[base + S_DAEMON] === 1,
      // TextDecoder refuses views on shared memory, hence the copy.
      name: decoder.decode(bytes.slice(start, start + len)),
    });
  }
  return out.sort((a, b) => a.ident - b.ident);
}
