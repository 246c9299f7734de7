// The scheduler's shared state: one SharedArrayBuffer that every thread of the process sees
// (handed to workers through environment data, like the world table), with a slot per logical
// thread that has reached a synchronization point: its state, priority, passes and where it is.
import { getEnvironmentData, isMainThread, setEnvironmentData } from "node:worker_threads";
import { SCHEDULE_DATA_KEY } from "../../protocol/schedule.ts";
import { rawNotify } from "../rawAtomics.ts";

/** Header words. */
export const CHANGE = 0; // bumped (and notified) on every state change
export const STEP = 1; // points passed, process-wide
export const DIRECTED = 2; // directed plan: 0 holding, 1 released, 2 given up
export const ARRIVALS = 3; // directed plan: threads held so far
const HIGH_WATER = 4;
const HEADER_WORDS = 8;

export const SLOTS = 1024;
const SLOT_WORDS = 64;
const W_IDENT = 0;
const W_HOST = 1;
const W_STATE = 2;
const W_PRIO = 3;
const W_ARRIVED = 4;
const W_STALLED = 5;
const W_PASSES = 6;
const W_NAME_LEN = 7;
const W_DESC_LEN = 8;
const W_SYNC = 9;
const NAME_WORD = 16; // 64 name bytes
const NAME_BYTES = 64;
const DESC_WORD = 32; // 128 description bytes
const DESC_BYTES = 128;

export const FREE = 0;
export const RUNNING = 1;
/** Waiting at a point for its turn. */
export const AT_POINT = 2;
/** Passed a point that blocks (a wait, a join, a taken lock): others need not wait for it. */
export const BLOCKED = 3;

function sharedBuffer(): SharedArrayBuffer {
  const inherited = getEnvironmentData(SCHEDULE_DATA_KEY);
  if (inherited instanceof SharedArrayBuffer) return inherited;
  const sab = new SharedArrayBuffer((HEADER_WORDS + SLOTS * SLOT_WORDS) * 4);
  // Workers started from now on inherit it; a worker that finds none (loaded without a
  // scheduling main thread) keeps a private one.
  if (isMainThread) setEnvironmentData(SCHEDULE_DATA_KEY, sab);
  return sab;
}

let buffer: SharedArrayBuffer | undefined;
let words: Int32Array<ArrayBufferLike> = new Int32Array(0);
let bytes: Uint8Array<ArrayBufferLike> = new Uint8Array(0);

/** Maps the shared words (once per thread; only when a schedule is in force). */
export function openTable(): Int32Array<ArrayBufferLike> {
  if (buffer === undefined) {
    buffer = sharedBuffer();
    words = new Int32Array(buffer);
    bytes = new Uint8Array(buffer);
  }
  return words;
}

const base = (slot: number): number => HEADER_WORDS + slot * SLOT_WORDS;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function writeText(slot: number, word: number, lenWord: number, max: number, text: string): void {
  const encoded = encoder.encode(text).subarray(0, max);
  bytes.set(encoded, (base(slot) + word) * 4);
  words[base(slot) + lenWord] = encoded.length;
}

function readText(slot: number, word: number, lenWord: number): string {
  const start = (base(slot) + word) * 4;
  // TextDecoder refuses views on shared memory, hence the copy.
  return decoder.decode(bytes.slice(start, start + (words[base(slot) + lenWord] ?? 0)));
}

export function bump(): void {
  Atomics.add(words, CHANGE, 1);
  rawNotify(words, CHANGE);
}

/** Takes a free slot for logical thread `ident` of OS thread `host`; -1 if the table is full. */
export function claimSlot(ident: number, host: number, name: string, prio: number): number {
  for (let slot = 0; slot < SLOTS; slot++) {
    const b = base(slot);
    if (Atomics.compareExchange(words, b + W_IDENT, 0, ident) !== 0) continue;
    words[b + W_HOST] = host;
    words[b + W_PRIO] = prio;
    words[b + W_ARRIVED] = 0;
    words[b + W_STALLED] = 0;
    words[b + W_PASSES] = 0;
    words[b + W_SYNC] = 0;
    writeText(slot, NAME_WORD, W_NAME_LEN, NAME_BYTES, name);
    writeText(slot, DESC_WORD, W_DESC_LEN, DESC_BYTES, "running");
    Atomics.store(words, b + W_STATE, RUNNING);
    for (;;) {
      const high = Atomics.load(words, HIGH_WATER);
      if (high > slot || Atomics.compareExchange(words, HIGH_WATER, high, slot + 1) === high) break;
    }
    bump();
    return slot;
  }
  return -1;
}

export function releaseSlot(slot: number): void {
  Atomics.store(words, base(slot) + W_STATE, FREE);
  Atomics.store(words, base(slot) + W_IDENT, 0);
  bump();
}

export function highWater(): number {
  return Atomics.load(words, HIGH_WATER);
}

export const stateOf = (slot: number): number => Atomics.load(words, base(slot) + W_STATE);
export const hostOf = (slot: number): number => words[base(slot) + W_HOST] ?? 0;
export const identOf = (slot: number): number => Atomics.load(words, base(slot) + W_IDENT);
export const prioOf = (slot: number): number => Atomics.load(words, base(slot) + W_PRIO);
export const passesOf = (slot: number): number => Atomics.load(words, base(slot) + W_PASSES);
export const stalled = (slot: number): boolean => Atomics.load(words, base(slot) + W_STALLED) !== 0;
export const arrived = (slot: number): boolean => Atomics.load(words, base(slot) + W_ARRIVED) !== 0;
export const nameOf = (slot: number): string => readText(slot, NAME_WORD, W_NAME_LEN);
export const descOf = (slot: number): string => readText(slot, DESC_WORD, W_DESC_LEN);

export function setState(slot: number, state: number): void {
  Atomics.store(words, base(slot) + W_STATE, state);
  bump();
}

export function setPrio(slot: number, prio: number): void {
  Atomics.store(words, base(slot) + W_PRIO, prio);
}

/** The thread waits at a Sync point: its OS thread, and every task of it, is stopped. */
export function setSyncWait(slot: number, waiting: boolean): void {
  Atomics.store(words, base(slot) + W_SYNC, waiting ? 1 : 0);
}

/** Whether OS thread `host` is stopped at a Sync point of one of its logical threads. */
export function hostStopped(host: number): boolean {
  const high = highWater();
  for (let slot = 0; slot < high; slot++) {
    if (hostOf(slot) === host && Atomics.load(words, base(slot) + W_SYNC) !== 0) return true;
  }
  return false;
}

export function markStalled(slot: number): void {
  Atomics.store(words, base(slot) + W_STALLED, 1);
}

export function markArrived(slot: number): void {
  Atomics.store(words, base(slot) + W_ARRIVED, 1);
  Atomics.add(words, ARRIVALS, 1);
  bump();
}

/** Where the thread is: written at each point, read when a directed hold gives up. */
export function describeSlot(slot: number, text: string): void {
  writeText(slot, DESC_WORD, W_DESC_LEN, DESC_BYTES, text);
}

/** Counts a pass of `slot`: it is no longer stalled; returns its number of passes before. */
export function countPass(slot: number): number {
  Atomics.store(words, base(slot) + W_STALLED, 0);
  return Atomics.add(words, base(slot) + W_PASSES, 1);
}

/**
 * A placeholder slot (a negative ident: a Promise.all branch known by name before its first
 * point, schedule/branchStarts.ts) becomes logical thread `ident`'s; false if it was not.
 */
export function adoptSlot(slot: number, placeholder: number, ident: number): boolean {
  return Atomics.compareExchange(words, base(slot) + W_IDENT, placeholder, ident) === placeholder;
}

/** The slot of logical thread `ident`, or -1. */
export function slotOfIdent(ident: number): number {
  const high = highWater();
  for (let slot = 0; slot < high; slot++) if (identOf(slot) === ident) return slot;
  return -1;
}

/** The live slot named `name` (only a placeholder's, with `placeholders`), or -1. */
export function slotNamed(name: string, placeholders = false): number {
  const high = highWater();
  for (let slot = 0; slot < high; slot++) {
    if (stateOf(slot) === FREE || (placeholders && identOf(slot) >= 0)) continue;
    if (nameOf(slot) === name) return slot;
  }
  return -1;
}
