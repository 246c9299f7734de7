// Atomics.wait / waitAsync / notify on shared memory, recorded in every thread without any
// change to the program (DESIGN 3.2), so that a program whose threads all wait forever on
// hand-written Atomics locks is a hang with every thread's wait site.
//
// threadlens' own primitives park with the engine's originals (rawAtomics.ts, captured before
// these replacements), so their waits are not recorded twice.
//
// Addresses. A wait is recorded on an object standing for (buffer, byte offset). A
// SharedArrayBuffer is a different JS object in every thread that received it, and nothing
// about it survives structured cloning except the memory itself (which is the program's: we
// cannot write an id into it), so an address is identified per thread: the same word waited
// on in two threads is two objects, each named by the first site that used it
// ("Int32Array[3]@worker.ts:12"). The hang itself needs no more: a thread blocked in an
// untimed Atomics.wait runs nothing, so when every live thread is blocked that way (or idle)
// no thread is left that could notify. Buffers handed to a worker in workerData are the
// exception (sharedAddresses.ts): there one word is one object in every thread, and every
// notify on it is recorded, which is what lets the analysis say who notifies whom.
//
// Only waits that block are recorded: a wait whose value already differs returns at once,
// checked first with a zero-timeout wait, which has exactly the original's semantics.
//
// Under a controlled schedule (DESIGN 8.1) a wait that would block, a notify and, on words
// shared through workerData, a compareExchange or exchange (the attempt of a hand-written
// lock) are scheduling points; a thread blocked in a wait is parked for the scheduler.
import path from "node:path";
import { workerData } from "node:worker_threads";
import { currentIdent, plainWorkerBootstrap } from "../logicalThread.ts";
import { isOwnFrame, parseFrame } from "../naming.ts";
import { announce, captureStack, emit, emitPrecise, siteOfStack } from "../recording.ts";
import { rawNotify, rawWait, rawWaitAsync } from "../rawAtomics.ts";
import { nextObjectId } from "../world.ts";
import { waitEnded, waitStarted } from "./pendingWaits.ts";
import { blockingSync } from "../parking.ts";
import { remainingOf } from "./timedWaits.ts";
import {
  pointSync,
  scheduleOn,
  scheduledPark,
  scheduledUnpark,
  type PointKind,
} from "../schedule/scheduler.ts";
import { isUnobservedShared } from "./unobserved.ts";
import { INTERNAL_WAIT } from "../internalWait.ts";
import { adoptAddressTables, sharedAddressId, sharedAddressLabel } from "./sharedAddresses.ts";

type WaitableArray = Int32Array | BigInt64Array;

const addresses = new WeakMap<ArrayBufferLike, Map<number, number>>();

/** "file.ts:12" of the first program frame of `stack`. */
function userLine(stack: string): string | undefined {
  for (const line of stack.split("\n").slice(1)) {
    const frame = parseFrame(line);
    if (frame === undefined || frame.file.startsWith("node:") || isOwnFrame(frame.file)) continue;
    return `${path.basename(frame.file)}:${frame.line}`;
  }
  return undefined;
}

function announceAddress(
  array: WaitableArray,
  index: number,
  id: number,
  stack: string,
  site: number,
) {
  const kind = array instanceof Int32Array ? "Int32Array" : "BigInt64Array";
  // A word shared through workerData is named by where it is there, the same whichever thread
  // uses it first; any other by the first site that used it in this thread.
  const label = sharedAddressLabel(array.buffer);
  const where = label === undefined ? userLine(stack) : undefined;
  announce({
    type: "object",
    id,
    kind: "Atomics",
    name:
      label !== undefined
        ? `${kind}[${index}] of ${label}`
        : `${kind}[${index}]${where === undefined ? "" : `@${where}`}`,
    site,
    capacity: 0,
  });
}

/** The object id of `array[index]`, announced (named by the first site using it) once. */
function addressOf(array: WaitableArray, index: number, stack: string, site: number): number {
  const offset = array.byteOffset + index * array.BYTES_PER_ELEMENT;
  const shared = sharedAddressId(array.buffer, offset, (id) =>
    announceAddress(array, index, id, stack, site),
  );
  if (shared !== undefined) return shared;
  let byOffset = addresses.get(array.buffer);
  if (byOffset === undefined) {
    byOffset = new Map();
    addresses.set(array.buffer, byOffset);
  }
  let id = byOffset.get(offset);
  if (id === undefined) {
    id = nextObjectId();
    byOffset.set(offset, id);
    announceAddress(array, index, id, stack, site);
  }
  return id;
}

/** What a scheduling point on `array[index]` is about (DESIGN 8.1). */
function pointOn(kind: PointKind, array: WaitableArray, index: number): void {
  const label = sharedAddressLabel(array.buffer);
  const type = array instanceof Int32Array ? "Int32Array" : "BigInt64Array";
  const name = `${type}[${index}]${label === undefined ? "" : ` of ${label}`}`;
  pointSync(kind, { name }, "Atomics");
}

function isTimed(timeout: number | undefined): boolean {
  if (timeout === undefined) return false;
  const ms = Number(timeout);
  return !Number.isNaN(ms) && ms !== Infinity;
}

function waitInstrumented(
  array: WaitableArray,
  index: number,
  value: number | bigint,
  timeout?: number,
): "ok" | "not-equal" | "timed-out" {
  const wait = rawWait as (
    a: WaitableArray,
    i: number,
    v: number | bigint,
    t?: number,
  ) => "ok" | "not-equal" | "timed-out";
  // First the wait that returns at once: the not-equal result of every hand-written lock's
  // uncontended retry is the original's, checked before anything else (a shared-memory test and
  // a set lookup there were most of what the instrumentation cost it). Not shared memory, a bad
  // index, or a thread that may not block: the original throws here as it would have.
  if (wait(array, index, value, 0) === "not-equal") return "not-equal";
  if (isUnobservedShared(array.buffer)) return wait(array, index, value, timeout);
  // The preload's own synchronous compile (register.ts): not the program's wait.
  if ((globalThis as Record<symbol, unknown>)[INTERNAL_WAIT] === true)
    return wait(array, index, value, timeout);
  if (scheduleOn) {
    pointOn("wait", array, index);
    // Others went first: the word may differ by now.
    if (wait(array, index, value, 0) === "not-equal") return "not-equal";
  }
  const began = performance.now();
  const stack = captureStack();
  const site = siteOfStack(stack);
  const object = addressOf(array, index, stack, site);
  const ident = currentIdent();
  const timed = isTimed(timeout);
  emitPrecise("wait-begin", ident, object, site, timed, "wait");
  const slot = scheduleOn ? scheduledPark() : -1;
  let result: "ok" | "not-equal" | "timed-out";
  try {
    result = blockingSync(() => wait(array, index, value, remainingOf(timeout, began)));
  } finally {
    if (scheduleOn) scheduledUnpark(slot);
  }
  emitPrecise("wait-end", ident, object, 0, result === "ok");
  return result;
}

function waitAsyncInstrumented(
  array: WaitableArray,
  index: number,
  value: number | bigint,
  timeout?: number,
): ReturnType<typeof Atomics.waitAsync> {
  const waitAsync = rawWaitAsync as (
    a: WaitableArray,
    i: number,
    v: number | bigint,
    t?: number,
  ) => ReturnType<typeof Atomics.waitAsync>;
  const result = waitAsync(array, index, value, timeout);
  if (!result.async) return result;
  const stack = captureStack();
  const site = siteOfStack(stack);
  const object = addressOf(array, index, stack, site);
  const ident = currentIdent();
  emitPrecise("wait-begin", ident, object, site, isTimed(timeout), "wait");
  waitStarted();
  void result.value.then((outcome) => {
    waitEnded();
    emitPrecise("wait-end", ident, object, 0, outcome === "ok");
  });
  return result;
}

function notifyInstrumented(array: WaitableArray, index: number, count?: number): number {
  if (scheduleOn && array.buffer instanceof SharedArrayBuffer) pointOn("notify", array, index);
  const woken = (rawNotify as (a: WaitableArray, i: number, c?: number) => number)(
    array,
    index,
    count,
  );
  const offset = array.byteOffset + index * array.BYTES_PER_ELEMENT;
  // A word shared through workerData: every notify counts (the waiter may be another thread),
  // so the first one may name the address. Otherwise only words this thread waited on.
  const id =
    sharedAddressId(array.buffer, offset, (fresh) => {
      const stack = captureStack();
      announceAddress(array, index, fresh, stack, siteOfStack(stack));
    }) ?? addresses.get(array.buffer)?.get(offset);
  if (id !== undefined) emit("notify", currentIdent(), id);
  return woken;
}

type Exchange = (array: WaitableArray, index: number, ...values: (number | bigint)[]) => unknown;

/**
 * compareExchange/exchange made scheduling points on the words of buffers shared through
 * workerData (the program's own: threadlens' internal words are never tabled), only while a
 * schedule is in force.
 */
function exchangePoint(original: Exchange): Exchange {
  return function (this: unknown, array, index, ...values) {
    if (sharedAddressLabel(array.buffer) !== undefined) pointOn("exchange", array, index);
    return original.call(this, array, index, ...values);
  };
}

/** Replaces Atomics.wait, waitAsync and notify in this thread (and, scheduled, the exchanges). */
export function instrumentAtomics(): void {
  adoptAddressTables(workerData, plainWorkerBootstrap?.addressTables ?? []);
  const atomics = Atomics as unknown as Record<string, unknown>;
  atomics["wait"] = waitInstrumented;
  atomics["waitAsync"] = waitAsyncInstrumented;
  atomics["notify"] = notifyInstrumented;
  if (scheduleOn) {
    atomics["compareExchange"] = exchangePoint(Atomics.compareExchange as unknown as Exchange);
    atomics["exchange"] = exchangePoint(Atomics.exchange as unknown as Exchange);
  }
}
