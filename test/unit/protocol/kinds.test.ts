// The traits tables (protocol/kinds.ts): each kind means what the analysis has always taken it
// to mean, and a shared acquisition survives the binary and the text encodings; each event
// kind has only its own fields, wherever events are decoded.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  EVENT_TRAITS,
  eventTraits,
  OBJECT_KINDS,
  PRIMITIVE_TRAITS,
  isMisuseEvent,
  isObjectKind,
  kindsWhere,
  traitsOf,
} from "../../../src/protocol/kinds.ts";
import { EVENT_KINDS, eventFromJson, type TraceEvent } from "../../../src/protocol/events.ts";
import { parseRelayLine } from "../../../src/protocol/processLink.ts";
import { decodeEvent, packHead } from "../../../src/protocol/binaryEvents.ts";
import {
  formatEvent,
  parseTrace,
  TRACE_HEADER,
  TraceParseError,
} from "../../../src/protocol/traceText.ts";

describe("primitive traits", () => {
  test("locks, holdable kinds and sharable kinds are the expected rows", () => {
    assert.deepEqual(kindsWhere("lock"), ["Lock", "RLock", "RWLock"]);
    assert.deepEqual(kindsWhere("holdable"), [
      "Lock",
      "RLock",
      "RWLock",
      "Semaphore",
      "BoundedSemaphore",
    ]);
    assert.deepEqual(kindsWhere("sharable"), ["RWLock"]);
  });

  test("reentrant, units and holder-only release", () => {
    const reentrant = OBJECT_KINDS.filter((k) => PRIMITIVE_TRAITS[k].reentrant);
    const units = OBJECT_KINDS.filter((k) => PRIMITIVE_TRAITS[k].units);
    const holderReleases = OBJECT_KINDS.filter((k) => PRIMITIVE_TRAITS[k].holderReleases);
    assert.deepEqual(reentrant, ["RLock"]);
    assert.deepEqual(units, ["Semaphore", "BoundedSemaphore"]);
    assert.deepEqual(holderReleases, ["RLock", "RWLock"]);
  });

  test("what ends each kind's wait", () => {
    const waits = Object.fromEntries(OBJECT_KINDS.map((k) => [k, PRIMITIVE_TRAITS[k].waits]));
    assert.deepEqual(waits, {
      Lock: "none",
      RLock: "none",
      RWLock: "none",
      Condition: "condition",
      Semaphore: "none",
      BoundedSemaphore: "none",
      Event: "event",
      Queue: "queue",
      LifoQueue: "queue",
      PriorityQueue: "queue",
      Barrier: "barrier",
      Pool: "none",
      Atomics: "atomics",
    });
  });

  test("an object whose record has not arrived is taken for a plain Lock", () => {
    assert.equal(traitsOf(undefined), PRIMITIVE_TRAITS.Lock);
    assert.equal(traitsOf("Lock").reentrantAlternative, "RLock");
    assert.equal(traitsOf("RLock").reentrantAlternative, undefined);
  });

  test("isObjectKind accepts the rows and nothing else", () => {
    for (const kind of OBJECT_KINDS) assert.equal(isObjectKind(kind), true);
    for (const s of ["lock", "toString", "__proto__", ""]) assert.equal(isObjectKind(s), false);
  });
});

describe("event traits", () => {
  test("every event kind has a row, and the misuse events are the three findings", () => {
    assert.deepEqual(Object.keys(EVENT_TRAITS).sort(), [...EVENT_KINDS].sort());
    assert.deepEqual(
      EVENT_KINDS.filter((k) => isMisuseEvent(k)),
      ["bad-release", "over-release", "pool-misuse"],
    );
  });

  test("blocking operations begin and end where the run state expects them", () => {
    const begins = EVENT_KINDS.filter((k) => eventTraits(k).begins !== undefined);
    const ends = EVENT_KINDS.filter((k) => eventTraits(k).ends !== undefined);
    assert.deepEqual(begins, ["join-begin", "acquire-request", "wait-begin"]);
    assert.deepEqual(ends, ["join-end", "acquired", "acquire-timeout", "wait-end"]);
  });
});

describe("shared acquisitions on the wire", () => {
  const shared: TraceEvent = {
    kind: "acquired",
    thread: 3,
    object: 1001,
    site: 7,
    time: 42,
    flag: false,
    shared: true,
  };

  test("binary: the shared mark round-trips on acquisition events only", () => {
    const words = Int32Array.of(packHead("acquired", 3, false, undefined, true), 1001, 7, 42);
    assert.deepEqual(decodeEvent(words, 0), shared);
    const exclusive = Int32Array.of(packHead("acquired", 3, false), 1001, 7, 42);
    const { kind, thread, object, site, time, flag } = shared;
    assert.deepEqual(decodeEvent(exclusive, 0), { kind, thread, object, site, time, flag });
    // A notify cannot be shared: a word that says so is not an event threadlens wrote.
    const bogus = Int32Array.of(packHead("notify", 3, false, undefined, true), 1001, 7, 42);
    assert.equal(decodeEvent(bogus, 0), undefined);
  });

  test("text: written as a bare `shared` field and read back", () => {
    const line = formatEvent(shared);
    assert.match(line, / shared$/);
    const trace = parseTrace(`${TRACE_HEADER}\n${line}\n`);
    assert.deepEqual(trace.events, [shared]);
  });

  test("text: a shared mark on anything but an acquisition is an error with its line", () => {
    const line = formatEvent(shared).replace(" acquired ", " notify ");
    assert.throws(
      () => parseTrace(`${TRACE_HEADER}\n${line}\n`),
      (e: Error) =>
        e instanceof TraceParseError && e.line === 2 && /no shared on notify/.test(e.message),
    );
  });
});

describe("a wait reason belongs to wait-begin only", () => {
  test("binary: a reason on any other kind is not an event threadlens wrote", () => {
    const begin = Int32Array.of(packHead("wait-begin", 3, true, "get"), 1001, 7, 42);
    assert.deepEqual(decodeEvent(begin, 0), {
      kind: "wait-begin",
      thread: 3,
      object: 1001,
      site: 7,
      time: 42,
      flag: true,
      reason: "get",
    });
    for (const kind of EVENT_KINDS.filter((k) => k !== "wait-begin")) {
      const words = Int32Array.of(packHead(kind, 3, false, "get"), 1001, 7, 42);
      assert.equal(decodeEvent(words, 0), undefined, kind);
    }
  });

  test("text: reason= on another kind is an error with its line", () => {
    const text = `${TRACE_HEADER}\n1.000 wait-end thread=3 object=1001 site=7 reason=get\n`;
    assert.throws(
      () => parseTrace(text),
      (e: Error) =>
        e instanceof TraceParseError && e.line === 2 && /no reason= on wait-end/.test(e.message),
    );
  });
});

describe("events that come as JSON (relays, the adapter's stream)", () => {
  const begin = {
    kind: "wait-begin",
    thread: 2,
    object: 1001,
    site: 7,
    time: 42,
    flag: true,
    reason: "get",
  } as const;

  test("a well-formed event is itself; anything else is no event", () => {
    assert.deepEqual(eventFromJson(begin), begin);
    assert.deepEqual(
      eventFromJson({ ...begin, kind: "acquired", reason: undefined, shared: true }),
      {
        kind: "acquired",
        thread: 2,
        object: 1001,
        site: 7,
        time: 42,
        flag: true,
        shared: true,
      },
    );
    for (const bad of [
      null,
      "wait-begin",
      { ...begin, kind: "explode" },
      { ...begin, object: "1001" },
      { ...begin, time: Number.NaN },
      { ...begin, flag: 1 },
      { ...begin, reason: "sleep" },
      { ...begin, kind: "acquired" },
      { ...begin, reason: undefined, shared: true },
      { ...begin, kind: "acquired", reason: undefined, shared: false },
    ]) {
      assert.equal(eventFromJson(bad), undefined, JSON.stringify(bad));
    }
  });

  test("a relay's events message keeps its events and drops what is not one", () => {
    const line = JSON.stringify({ type: "events", events: [begin, { kind: "nope" }], now: 5 });
    assert.deepEqual(parseRelayLine(line), { type: "events", events: [begin], now: 5 });
    assert.equal(parseRelayLine(JSON.stringify({ type: "events", events: 3, now: 5 })), undefined);
  });

  test("a relay's pause-applied message carries its generation, or is no message", () => {
    assert.deepEqual(parseRelayLine(JSON.stringify({ type: "pause-applied", generation: 4 })), {
      type: "pause-applied",
      generation: 4,
    });
    assert.equal(parseRelayLine(JSON.stringify({ type: "pause-applied" })), undefined);
  });
});
