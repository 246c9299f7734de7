// The main thread's waits before its recorder thread started (recorderStart.ts starts it when
// the program first needs it). An async wait that ends within WAIT_GRACE_MS needs no online
// analysis: a deadlock is a cycle that stays 30 ms by its events' times (analyze.ts), and a
// program that ends first is analyzed at its exit from the same events. Most async waits of a
// correct program (an async-mutex acquisition behind another task's short hold) end within a
// few milliseconds, and starting the recorder's thread costs a worker's start, as much CPU time
// as the rest of the preload's start (issue 13). So the thread starts only once a wait has
// stayed open WAIT_GRACE_MS: read from main's ring, where every wait's begin and end already
// are (a begin's ring position is all this keeps), so the events' own path gains nothing. A
// Sync wait blocks the loop and starts the recorder at once (recording.ts, LOOP_BLOCKED).
import { eventKindOf } from "../protocol/events.ts";
import { EVENT_TRAITS, type EventTraits } from "../protocol/kinds.ts";
import { NOTHING_RECORDED_KEY, START_RECORDER_KEY } from "../protocol/recorderWire.ts";

/** How long an async wait of main's may stay open before its recorder thread starts (ms). */
export const WAIT_GRACE_MS = 20;

const THREAD_SHIFT = 10;
const KIND_MASK = 0x3f;
/** Per kind code: 1 begins a blocking operation, 2 ends one. */
const BEGIN_END = new Uint8Array(KIND_MASK + 1);
for (let code = 1; code <= KIND_MASK; code++) {
  const kind = eventKindOf(code);
  if (kind === undefined) continue;
  const traits = EVENT_TRAITS[kind] as EventTraits;
  BEGIN_END[code] = traits.begins !== undefined ? 1 : traits.ends !== undefined ? 2 : 0;
}

/** Main's ring as recording.ts reads it: each event from `from` on, and the count written. */
export interface RingScan {
  /** Calls `visit` with each event's head, object and time from index `from`; returns the end. */
  eventsFrom(
    from: number,
    visit: (head: number, object: number, time: number, at: number) => void,
  ): number;
  /** Microseconds since the program started, precise (the events' clock). */
  now(): number;
  /** How many events the ring holds before old ones are overwritten. */
  readonly capacity: number;
}

const globals = globalThis as Record<symbol, unknown>;
// Taken at load: a program's fake timers may replace the global later.
const setTimer = setTimeout;

let scan: RingScan | undefined;
/** Ring index of the oldest begin not known to have ended; -1: none. */
let scanFrom = -1;
let armed = false;

function startRecorder(): ((later: boolean) => void) | undefined {
  const start = globals[START_RECORDER_KEY];
  return typeof start === "function" ? (start as (later: boolean) => void) : undefined;
}

/** Per kind code: the main thread's own start, loop and end (see nothingRecorded). */
const LIFECYCLE = new Uint8Array(KIND_MASK + 1);
for (let code = 1; code <= KIND_MASK; code++) {
  const kind = eventKindOf(code);
  if (kind === "thread-start" || kind === "thread-exit" || kind === "loop-idle")
    LIFECYCLE[code] = 1;
}

/** Called by recording.ts in the main thread once its ring exists. */
export function watchOpenWaits(ring: RingScan): void {
  scan = ring;
  globals[NOTHING_RECORDED_KEY] = nothingRecorded;
}

/**
 * Whether main's ring holds nothing but one logical thread's start, loop states and end (a
 * program that used no primitive, instrumented or not): no analysis finds anything there, and
 * a program that ends before its recorder started then skips loading the recorder's code to
 * analyze it at exit (recorderStart.ts). Any other event, another logical thread's (a task's),
 * or a ring that wrapped says no.
 */
function nothingRecorded(): boolean {
  const ring = scan;
  if (ring === undefined) return false;
  let thread = -1;
  let nothing = true;
  const end = ring.eventsFrom(0, (head) => {
    const ident = head >>> THREAD_SHIFT;
    if (LIFECYCLE[head & KIND_MASK] !== 1 || (thread >= 0 && ident !== thread)) nothing = false;
    thread = ident;
  });
  return nothing && end < ring.capacity;
}

/**
 * A wait began in main (its event is at ring index `at`): the recorder starts if it, or another
 * one, is still open WAIT_GRACE_MS after it began. Nothing to do once the recorder started.
 */
export function waitBegan(at: number): void {
  if (scan === undefined || startRecorder() === undefined) return;
  if (scanFrom < 0) scanFrom = at;
  if (!armed) arm(WAIT_GRACE_MS);
}

function arm(ms: number): void {
  armed = true;
  setTimer(check, ms).unref();
}

const open = new Map<number, { time: number; at: number }>();

function check(): void {
  armed = false;
  const start = startRecorder();
  const ring = scan;
  if (start === undefined || ring === undefined || scanFrom < 0) {
    scanFrom = -1;
    return;
  }
  open.clear();
  const end = ring.eventsFrom(scanFrom, (head, object, time, at) => {
    const role = BEGIN_END[head & KIND_MASK];
    if (role === 0) return;
    // A logical thread is in one blocking operation at a time, on one object.
    const key = (head >>> THREAD_SHIFT) * 0x1_0000_0000 + (object >>> 0);
    if (role === 1) {
      if (!open.has(key)) open.set(key, { time, at });
    } else open.delete(key);
  });
  if (end - scanFrom >= ring.capacity) {
    scanFrom = -1;
    start(false); // overwritten meanwhile (cannot be: main asks for it at a sixteenth)
    return;
  }
  let oldest: { time: number; at: number } | undefined;
  for (const wait of open.values()) if (oldest === undefined || wait.at < oldest.at) oldest = wait;
  open.clear();
  if (oldest === undefined) {
    scanFrom = -1;
    return;
  }
  const left = WAIT_GRACE_MS - ((ring.now() - oldest.time) >>> 0) / 1000;
  if (left > 0) {
    scanFrom = oldest.at;
    arm(Math.ceil(left));
    return;
  }
  scanFrom = -1;
  start(false);
}
