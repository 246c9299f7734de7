// The main thread's waits before its lazy recorder started (src/runtime/openWaits.ts): the
// recorder's thread starts only for a wait still open WAIT_GRACE_MS after it began, read from
// main's ring. The ring here is a list of events, with a clock the test sets; the start
// function is the preload's global (recorderStart.ts), replaced around each case.
import { test } from "node:test";
import assert from "node:assert/strict";
import { packHead } from "../../src/protocol/binaryEvents.ts";
import type { EventKind } from "../../src/protocol/events.ts";
import { START_RECORDER_KEY } from "../../src/protocol/recorderWire.ts";
import { WAIT_GRACE_MS, waitBegan, watchOpenWaits } from "../../src/runtime/openWaits.ts";

interface Ring {
  events: { head: number; object: number; time: number }[];
  /** µs since the program started, as the ring's clock says now. */
  now: number;
  /** Resolved with each check's scan (its `from`). */
  scanned: ((from: number) => void)[];
}

function event(kind: EventKind, thread: number, object: number, time: number) {
  return { head: packHead(kind, thread, false), object, time };
}

// The preload of this test's own process has a lazy recorder too, which removes the start
// function when it starts (recorderStart.ts), after LAZY_START_MS at the latest: on a loaded
// machine that came in the middle of a case, took the case's own start function away, and the
// case waited forever for a check. Started now, before any case puts its own in place.
const preloadStart = (globalThis as Record<symbol, unknown>)[START_RECORDER_KEY];
if (typeof preloadStart === "function") (preloadStart as (later: boolean) => void)(false);

const ring: Ring = { events: [], now: 0, scanned: [] };
watchOpenWaits({
  eventsFrom(from, visit) {
    for (let i = from; i < ring.events.length; i++) {
      const e = ring.events[i];
      if (e !== undefined) visit(e.head, e.object, e.time, i);
    }
    ring.scanned.shift()?.(from);
    return ring.events.length;
  },
  now: () => ring.now,
  capacity: 1 << 16,
});

function nextScan(): Promise<number> {
  return new Promise((resolve) => ring.scanned.push(resolve));
}

/** Runs `body` with a fake recorder start in place of the preload's; returns its calls. */
async function withStart(body: (started: Promise<boolean>) => Promise<void>): Promise<boolean[]> {
  const globals = globalThis as Record<symbol, unknown>;
  const previous = globals[START_RECORDER_KEY];
  const calls: boolean[] = [];
  let startCalled = (): void => undefined;
  const started = new Promise<boolean>((resolve) => (startCalled = () => resolve(true)));
  globals[START_RECORDER_KEY] = (later: boolean) => {
    calls.push(later);
    startCalled();
  };
  // The checks' timers are unref'd (they never keep a program alive): this test's loop is.
  const alive = setInterval(() => undefined, 1_000);
  try {
    await body(started);
  } finally {
    clearInterval(alive);
    if (previous === undefined) delete globals[START_RECORDER_KEY];
    else globals[START_RECORDER_KEY] = previous;
  }
  return calls;
}

const afterCheck = () => new Promise((resolve) => setImmediate(resolve));

test("a wait that ended within the grace: the recorder does not start", async () => {
  ring.events = [
    event("acquire-request", 3, 7, 1_000),
    event("acquired", 3, 7, 2_000),
    event("wait-begin", 4, 8, 3_000),
    event("wait-end", 4, 8, 4_000),
  ];
  ring.now = 1_000 + WAIT_GRACE_MS * 1000 * 3;
  const calls = await withStart(async () => {
    const scan = nextScan();
    waitBegan(0);
    assert.equal(await scan, 0);
    await afterCheck();
  });
  assert.deepEqual(calls, []);
});

test("a wait still open after the grace: the recorder starts, at once", async () => {
  ring.events = [
    event("acquire-request", 3, 7, 1_000),
    event("acquired", 3, 7, 2_000),
    // Another thread's end, and another object's, do not end it.
    event("acquire-request", 5, 9, 3_000),
    event("acquired", 6, 9, 4_000),
    event("acquired", 5, 10, 5_000),
  ];
  ring.now = 3_000 + WAIT_GRACE_MS * 1000;
  const calls = await withStart(async (started) => {
    waitBegan(0);
    waitBegan(2);
    await started;
  });
  assert.deepEqual(calls, [false]);
});

test("a wait open for less than the grace yet: checked again when its grace is over", async () => {
  ring.events = [event("join-begin", 3, 11, 10_000)];
  ring.now = 10_000 + (WAIT_GRACE_MS * 1000) / 2;
  const calls = await withStart(async (started) => {
    const first = nextScan();
    waitBegan(0);
    assert.equal(await first, 0);
    await afterCheck();
    ring.now = 10_000 + WAIT_GRACE_MS * 1000;
    const second = nextScan();
    assert.equal(await second, 0);
    await started;
  });
  assert.deepEqual(calls, [false]);
});
