// The per-thread event writer (DESIGN 4). When the program runs under threadlens/register,
// every thread gets a ring of fixed-size binary events in a SharedArrayBuffer, written with
// no allocation; the recorder thread drains all rings. Dictionary records (thread names,
// objects, call sites) are rare and go to the recorder over a BroadcastChannel. With recording
// off (the runtime imported without the preload) every hook is one boolean test.
import {
  BroadcastChannel,
  getEnvironmentData,
  isMainThread,
  type MessagePort,
} from "node:worker_threads";
import { EVENT_WORDS, packHead } from "../protocol/binaryEvents.ts";
import {
  LOOP_BLOCKED,
  type EventKind,
  type Frame,
  type MetaRecord,
  type WaitReason,
} from "../protocol/events.ts";
import { EVENT_TRAITS, type EventTraits } from "../protocol/kinds.ts";
import {
  CLOCK_NOW,
  CLOCK_WANTED,
  CONTROL_DATA_KEY,
  CONTROL_DRAIN_DONE,
  CONTROL_DRAIN_REQUEST,
  CONTROL_READY,
} from "../protocol/recorderControl.ts";
import {
  MAIN_PORT_KEY,
  RECORDER_CHANNEL,
  START_RECORDER_KEY,
  RING_DROPPED,
  RING_HEADER_WORDS,
  RING_MESSAGES,
  RING_IDLE_BEAT,
  RING_MESSAGE_SITE,
  RING_READ,
  RING_WRITE,
  type RecorderMessage,
} from "../protocol/recorderWire.ts";
import { isOwnFrame, parseFrame } from "./naming.ts";
import { nodeFormatsStacks, readStackWith, siteOfCallSites, stackText } from "./siteCache.ts";
import { nextObjectId } from "./world.ts";
import { rawNotify as rawNotifyWord, rawWait as rawWaitWord } from "./rawAtomics.ts";
import { waitBegan, watchOpenWaits } from "./openWaits.ts";

/** Set by register.ts in every thread before the runtime loads. */
export const RECORDING_FLAG = Symbol.for("threadlens.recording");
const CLOCK_KEY = "threadlens:clock";

const RING_EVENTS = 1 << 16;
const RING_MASK = RING_EVENTS - 1;

export const recordingOn: boolean =
  (globalThis as Record<symbol, unknown>)[RECORDING_FLAG] === true;

let ring: Int32Array | undefined;
/** Where this thread's messages to the recorder go: main's own port, or the shared channel. */
let channel: Pick<BroadcastChannel, "postMessage"> | undefined;
// The recorder thread keeps a coarse clock (µs since start) in shared memory, so the hot path
// never calls performance.now() (60 ns here); slow paths use the precise clock.
let clock: Int32Array | undefined;
/**
 * This thread's time origin less the run's epoch (ms): performance.timeOrigin is a getter
 * chain of Node's, constant per thread, that V8 inlined into every hot path that may take the
 * precise time (with it, the recorded acquire outgrew V8's inlining budget).
 */
let sinceEpoch = 0;

const controlData = getEnvironmentData(CONTROL_DATA_KEY);
const control = controlData instanceof SharedArrayBuffer ? new Int32Array(controlData) : undefined;
/** At most this long for the recorder to start listening (it sets the word when it failed too). */
const READY_WAIT_MS = 10_000;

/** False while this process's recorder thread is still starting (recorderControl.ts CONTROL_READY). */
function recorderReady(): boolean {
  return control === undefined || Atomics.load(control, CONTROL_READY) !== 0;
}

/**
 * Has the preload start this process's recorder thread if it has not yet (recorderStart.ts):
 * now, or (`later`) within a few milliseconds. Only the main thread has it to start; every
 * other thread runs after it started.
 */
export function needRecorder(later = false): void {
  const start = (globalThis as Record<symbol, unknown>)[START_RECORDER_KEY];
  if (typeof start === "function") (start as (later: boolean) => void)(later);
}

/** Waits (blocking the thread) until the recorder listens. */
function awaitRecorder(): void {
  if (control !== undefined && Atomics.load(control, CONTROL_READY) === 0) {
    needRecorder();
    rawWaitWord(control, CONTROL_READY, 0, READY_WAIT_MS);
  }
}

function initRecording(): void {
  const sab = new SharedArrayBuffer((RING_HEADER_WORDS + RING_EVENTS * EVENT_WORDS) * 4);
  ring = new Int32Array(sab);
  const shared = getEnvironmentData(CLOCK_KEY);
  if (shared instanceof SharedArrayBuffer) {
    clock = new Int32Array(shared);
    sinceEpoch = performance.timeOrigin - (new Float64Array(shared, 8, 1)[0] ?? 0);
  } else sinceEpoch = performance.timeOrigin;
  const mainPort = isMainThread
    ? ((globalThis as Record<symbol, unknown>)[MAIN_PORT_KEY] as MessagePort | undefined)
    : undefined;
  if (mainPort !== undefined) {
    channel = mainPort;
    watchOpenWaits({ eventsFrom, now: preciseTime, capacity: RING_EVENTS });
    return;
  }
  // A BroadcastChannel drops what is posted before the recorder's end exists: a worker started
  // while the recorder is still starting waits for it here (the main thread does not).
  awaitRecorder();
  channel = { postMessage: postOnChannel };
}

// Taken at load: a program's fake timers may replace the global later.
const microtask = queueMicrotask;
let openChannel: BroadcastChannel | undefined;

/**
 * Posts to the recorder on the shared channel. Every open BroadcastChannel of a name is given
 * every message posted on it: with one kept open in each thread, each of N threads took in and
 * decoded every other thread's records, N² in all, most of what recording still cost at 256
 * threads (issue 12). A thread's channel is open only while it posts: opened for the first
 * message of a burst, closed by a microtask, before this thread's event loop can take in what
 * others posted (messages are delivered to the recorder's end when posted, in order).
 */
function postOnChannel(message: unknown): void {
  if (openChannel === undefined) {
    const opened = new BroadcastChannel(RECORDER_CHANNEL);
    opened.unref();
    openChannel = opened;
    microtask(() => {
      opened.close();
      openChannel = undefined;
    });
  }
  openChannel.postMessage(message);
}

if (recordingOn) initRecording();

/** Announces this thread's ring; `host` is the ident of the OS thread's own logical thread. */
export function announceRing(host: number): void {
  if (ring === undefined || channel === undefined) return;
  const message: RecorderMessage = {
    type: "ring",
    host,
    buffer: ring.buffer as SharedArrayBuffer,
    main: isMainThread,
  };
  channel.postMessage(message);
}

/** The idle watcher's beat (instrument/loopWatch.ts): idle now, or not. */
export function writeIdleBeat(idle: boolean): void {
  // A beat does not ask for the coarse clock: a program idle in its loops lets it rest.
  const now = clock === undefined ? 0 : (clock[CLOCK_NOW] ?? 0);
  if (ring !== undefined)
    Atomics.store(ring, RING_IDLE_BEAT, idle ? (now === 0 ? preciseTime() : now) | 0 || 1 : 0);
}

/** A message reached this thread's program listeners, or it posted one (instrument/loopWatch.ts). */
export function countMessage(): void {
  if (ring !== undefined) Atomics.add(ring, RING_MESSAGES, 1);
}

/** Where this thread listens for messages (instrument/loopWatch.ts), told with its idle beat. */
export function writeMessageSite(site: number): void {
  if (ring !== undefined) Atomics.store(ring, RING_MESSAGE_SITE, site);
}

export function announce(record: MetaRecord): void {
  tellRecorder({ type: "meta", record });
}

/** Posts to the recorder thread (no-op when not recording). */
export function tellRecorder(message: RecorderMessage): void {
  channel?.postMessage(message);
}

export function coarseTime(): number {
  // A plain read: any recent value of the coarse clock will do. 0 until the recorder, still
  // starting, has set it, or while it rests (nothing came in for a while: recorder/pacing.ts).
  const now = clock === undefined ? 0 : (clock[CLOCK_NOW] ?? 0);
  return now === 0 ? restingTime() : now;
}

/**
 * The main thread asks for its recorder (recorderStart.ts) once it has read the precise time
 * this often for want of the coarse clock, which only a running recorder keeps: a loop taking
 * locks that records little (its holds are sampled) would pay the precise clock on every
 * acquisition for good. About what starting the recorder costs, in precise reads.
 */
const EARLY_START_READS = 1 << 19;
let preciseReads = 0;

/** The precise time, and the resting clock asked to run again (this thread is busy). */
function restingTime(): number {
  if (clock !== undefined) clock[CLOCK_WANTED] = 1;
  if (!recorderAsked && ++preciseReads >= EARLY_START_READS) {
    recorderAsked = true;
    needRecorder();
  }
  return preciseTime();
}

/** Microseconds since the program started, precise. */
export function preciseTime(): number {
  return Math.round((sinceEpoch + performance.now()) * 1000) >>> 0;
}

// Events are published to the recorder (the write count stored atomically, which orders the
// event words before it) in batches of PUBLISH_EVERY, and at once before anything that can
// block: a blocked thread's events are always all visible. A timer publishes the rest within
// PUBLISH_MS once the thread's loop runs again. It is armed only while events wait: a
// periodic timer in every thread woke hundreds of threads every 5 ms for nothing, which under
// many threads cost more CPU than the program (issue 12). The recorder's read count is re-read
// only when the ring looks full.
const PUBLISH_EVERY = 16;
const PUBLISH_MS = 5;
let written = 0;
let unpublished = 0;
let knownRead = 0;
let publishArmed = false;
// Made at load, before the program runs (fake timers replacing the globals later do not touch
// it), and re-armed with refresh(): no allocation per batch.
const publishTimer: ReturnType<typeof setTimeout> | undefined = recordingOn
  ? setTimeout(publishOnTimer, PUBLISH_MS).unref()
  : undefined;

function publishOnTimer(): void {
  publishArmed = false;
  publish();
}

/** Events wait to be published: the timer publishes them if nothing else does first. */
function armPublish(): void {
  publishArmed = true;
  publishTimer?.refresh();
}

export function publish(): void {
  if (unpublished === 0 || ring === undefined) return;
  Atomics.store(ring, RING_WRITE, written);
  unpublished = 0;
  if (recorderAsked || written < EARLY_START_EVENTS) return;
  // A program that records this much gets its recorder thread before its ring is full.
  recorderAsked = true;
  needRecorder();
}

/**
 * The main thread asks for its recorder (recorderStart.ts) once it has written this many
 * events, so that the ring's rest covers the recorder's start: a full ring drops what a
 * recorder that is still starting cannot make room for.
 */
const EARLY_START_EVENTS = RING_EVENTS / 16;
/** Whether this thread asked already (every other thread runs after its recorder started). */
let recorderAsked = !isMainThread;

function write(head: number, object: number, site: number, time: number): void {
  const r = ring;
  if (r === undefined) return;
  const w = written;
  if (w - knownRead >= RING_EVENTS) {
    knownRead = Atomics.load(r, RING_READ);
    if (w - knownRead >= RING_EVENTS && !recorderReady()) knownRead = roomAfterStart(r, w);
    if (w - knownRead >= RING_EVENTS) {
      // Never block the program: count what is lost, the report says so.
      Atomics.add(r, RING_DROPPED, 1);
      return;
    }
  }
  const at = RING_HEADER_WORDS + (w & RING_MASK) * EVENT_WORDS;
  r[at] = head;
  r[at + 1] = object;
  r[at + 2] = site;
  r[at + 3] = time;
  written = (w + 1) | 0;
  if (++unpublished >= PUBLISH_EVERY) publish();
  else if (!publishArmed) armPublish();
}

/** How long a full ring waits, once the recorder has started, for its first drains. */
const START_DRAIN_WAIT_MS = 200;

/**
 * The ring filled up before the recorder started draining it: waits for the recorder, then
 * for room (its drains every 5 ms). Returns the read count it saw last.
 */
function roomAfterStart(r: Int32Array, w: number): number {
  publish();
  awaitRecorder();
  const deadline = performance.now() + START_DRAIN_WAIT_MS;
  let read = Atomics.load(r, RING_READ);
  while (w - read >= RING_EVENTS && performance.now() < deadline) {
    rawWaitWord(r, RING_READ, read, 5);
    read = Atomics.load(r, RING_READ);
  }
  return read;
}

/** Hot-path event (coarse timestamp). */
export function emit(
  kind: EventKind,
  thread: number,
  object: number,
  site = 0,
  flag = false,
): void {
  write(packHead(kind, thread, flag), object, site, coarseTime());
}

// Packed heads of the two hottest events, so their path does no lookup.
const ACQUIRED = packHead("acquired", 0, false);
const RELEASE = packHead("release", 0, false);
const THREAD_SHIFT = 10;

export function emitAcquired(thread: number, object: number, site: number): void {
  write(ACQUIRED | (thread << THREAD_SHIFT), object, site, coarseTime());
}

/** An acquisition recorded after the fact, with the time it happened. */
export function emitAcquiredAt(thread: number, object: number, site: number, time: number): void {
  write(ACQUIRED | (thread << THREAD_SHIFT), object, site, time);
}

export function emitRelease(thread: number, object: number): void {
  write(RELEASE | (thread << THREAD_SHIFT), object, 0, coarseTime());
}

/** A release recorded with the time it happened (a hold of another process's primitive). */
export function emitReleaseAt(thread: number, object: number, time: number): void {
  write(RELEASE | (thread << THREAD_SHIFT), object, 0, time);
  publish();
}

// A shared hold (kinds.ts: sharable) is recorded with the shared mark; not on the Lock path.
const SHARED_ACQUIRED = packHead("acquired", 0, false, undefined, true);
const SHARED_RELEASE = packHead("release", 0, false, undefined, true);

/** A shared acquisition recorded after the fact, with the time it happened. */
export function emitSharedAcquiredAt(
  thread: number,
  object: number,
  site: number,
  time: number,
): void {
  write(SHARED_ACQUIRED | (thread << THREAD_SHIFT), object, site, time);
}

export function emitSharedRelease(thread: number, object: number): void {
  write(SHARED_RELEASE | (thread << THREAD_SHIFT), object, 0, coarseTime());
}

/** A shared release with the time it happened (a read hold of another process's RWLock). */
export function emitSharedReleaseAt(thread: number, object: number, time: number): void {
  write(SHARED_RELEASE | (thread << THREAD_SHIFT), object, 0, time);
  publish();
}

let beforePreciseEvent: () => void = () => undefined;

/** Runs before every precise (slow-path) event: deferred holds become visible first. */
export function setBeforePreciseEvent(hook: () => void): void {
  beforePreciseEvent = hook;
}

/** Slow-path event (precise timestamp), optionally with a wait reason. */
export function emitPrecise(
  kind: EventKind,
  thread: number,
  object: number,
  site: number,
  flag: boolean,
  reason?: WaitReason,
  shared = false,
): void {
  beforePreciseEvent();
  write(packHead(kind, thread, flag, reason, shared), object, site, preciseTime());
  publish();
  // Something waits, or this thread blocks: the online analysis has something to watch.
  if (kind === "loop-idle") {
    if (flag) needRecorder(object !== LOOP_BLOCKED);
  } else if ((EVENT_TRAITS[kind] as EventTraits).begins !== undefined) waitBegan(written - 1);
}

/** Main's events from ring index `from` on (openWaits.ts); returns the index after the last. */
function eventsFrom(
  from: number,
  visit: (head: number, object: number, time: number, at: number) => void,
): number {
  const r = ring;
  if (r === undefined) return from;
  const end = written;
  for (let i = Math.max(from, end - RING_EVENTS); i < end; i++) {
    const at = RING_HEADER_WORDS + (i & RING_MASK) * EVENT_WORDS;
    visit(r[at] ?? 0, r[at + 1] ?? 0, r[at + 3] ?? 0, i);
  }
  return end;
}

/** At most this long for the recorder to pass events on (it may be busy, or gone). */
const DRAIN_WAIT_MS = 200;

/**
 * Has this process's recorder pass on everything recorded so far, and waits until it has (see
 * recorderControl.ts CONTROL_DRAIN_REQUEST). Blocks the thread for a round trip to the
 * recorder: for the moments another process may act on at once (a signal through a shared
 * primitive), not for every event.
 */
export function drainRecording(): void {
  if (!recordingOn || control === undefined) return;
  publish();
  awaitRecorder();
  const asked = Atomics.add(control, CONTROL_DRAIN_REQUEST, 1) + 1;
  rawNotifyWord(control, CONTROL_DRAIN_REQUEST);
  const deadline = performance.now() + DRAIN_WAIT_MS;
  for (;;) {
    const done = Atomics.load(control, CONTROL_DRAIN_DONE);
    const left = deadline - performance.now();
    if (done - asked >= 0 || left <= 0) return;
    rawWaitWord(control, CONTROL_DRAIN_DONE, done, left);
  }
}

const siteIds = new Map<string, number>();
const MAX_FRAMES = 8;

/** The caller's raw stack, with room for V8's async frames (instrument/branches.ts reads them). */
export function captureStack(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const error = new Error();
  Error.stackTraceLimit = limit;
  return stackText(error);
}

/**
 * The caller's stack, captured but not formatted (`new Error()` records the frames; formatting
 * them, source maps included, is most of a capture's cost and waits for siteOfRawStack()).
 */
export function captureRawStack(): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const error = new Error();
  Error.stackTraceLimit = limit;
  return error;
}

/**
 * The site id of a stack taken by captureRawStack(): by its call path, cached per thread
 * (siteCache.ts), so that only a call path not seen before is formatted.
 */
export function siteOfRawStack(stack: Error): number {
  if (!nodeFormatsStacks()) return siteOfStack(stack.stack ?? "");
  return readStackWith(stack, (error, trace) => {
    try {
      return siteOfCallSites(error, trace, siteOfStack);
    } catch {
      return 0; // a site is never worth failing the program's call
    }
  }) as number;
}

/** Captures the caller's stack (outside threadlens), interns it, returns its site id. */
export function captureSite(): number {
  if (!recordingOn) return 0;
  return siteOfRawStack(captureRawStack());
}

/** Interns the frames of `stack` outside threadlens (async frames included) as a site id. */
export function siteOfStack(stack: string): number {
  const frames: Frame[] = [];
  for (const line of stack.split("\n").slice(1)) {
    const frame = parseFrame(line);
    if (frame === undefined || frame.file.startsWith("node:") || isOwnFrame(frame.file)) continue;
    frames.push({
      file: frame.file,
      line: frame.line,
      column: frame.column,
      function: frame.functionName,
    });
    if (frames.length === MAX_FRAMES) break;
  }
  if (frames.length === 0) return 0;
  const key = frames.map((f) => `${f.file}:${f.line}:${f.column}:${f.function}`).join("|");
  let id = siteIds.get(key);
  if (id === undefined) {
    id = nextObjectId();
    siteIds.set(key, id);
    announce({ type: "site", id, frames });
  }
  return id;
}
