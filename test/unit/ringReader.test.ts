// The recorder's ring reader (recorder/ringReader.ts) read in rounds (issue 12): a drain with a
// limit takes at most that many events, says whether it left some, and rounds read the same
// events in the same order as one drain. Its loop-idle events say where an idle thread listens.
import assert from "node:assert/strict";
import { test } from "node:test";
import { EVENT_WORDS, packHead } from "../../src/protocol/binaryEvents.ts";
import {
  RING_HEADER_WORDS,
  RING_IDLE_BEAT,
  RING_MESSAGE_SITE,
  RING_READ,
  RING_WRITE,
} from "../../src/protocol/recorderWire.ts";
import { LOOP_MESSAGES_ONLY } from "../../src/protocol/events.ts";
import { RingReader } from "../../src/recorder/ringReader.ts";

const CAPACITY = 64;

/** A ring holding `count` acquired/release events of thread 3 on objects 100.., times 10, 20... */
function filledRing(count: number, start = 0): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer((RING_HEADER_WORDS + CAPACITY * EVENT_WORDS) * 4);
  const words = new Int32Array(buffer);
  for (let i = 0; i < count; i++) {
    const at = RING_HEADER_WORDS + ((start + i) % CAPACITY) * EVENT_WORDS;
    words[at] = packHead(i % 2 === 0 ? "acquired" : "release", 3, false);
    words[at + 1] = 100 + i;
    words[at + 3] = 10 * (i + 1);
  }
  words[RING_READ] = start;
  words[RING_WRITE] = start + count;
  return buffer;
}

test("a drain in rounds reads what one drain reads, in order, and says when it left events", () => {
  const whole = new RingReader(filledRing(50, 40), 3).drain();
  assert.equal(whole.length, 50);
  const buffer = filledRing(50, 40);
  const reader = new RingReader(buffer, 3);
  const rounds: number[] = [];
  const read = [];
  for (;;) {
    const round = reader.drain(16);
    rounds.push(round.length);
    read.push(...round);
    if (!reader.cut) break;
  }
  assert.deepEqual(rounds, [16, 16, 16, 2]);
  assert.deepEqual(read, whole);
  assert.deepEqual(
    read.slice(0, 3).map((e) => [e.kind, e.thread, e.object, e.time]),
    [
      ["acquired", 3, 100, 10],
      ["release", 3, 101, 20],
      ["acquired", 3, 102, 30],
    ],
  );
  assert.equal(new Int32Array(buffer)[RING_READ], 90, "the reader caught up with the writer");
  assert.deepEqual(reader.drain(16), []);
  assert.equal(reader.cut, false);
  assert.equal(reader.capacity, CAPACITY);
});

test("a limit of exactly what is there reads it all and leaves nothing", () => {
  const reader = new RingReader(filledRing(16), 3);
  assert.equal(reader.drain(16).length, 16);
  assert.equal(reader.cut, false);
});

test("an idle thread's listener added after its first idle beat is told in another loop-idle event", () => {
  const buffer = filledRing(0);
  const words = new Int32Array(buffer);
  const reader = new RingReader(buffer, 3);
  const look = (now: number) => {
    const e = reader.loopChange(now, 100_000);
    return e === undefined ? undefined : [e.kind, e.thread, e.object, e.site, e.time, e.flag];
  };
  // A worker whose loop looks idle while its entry module still loads: no listener yet.
  words[RING_IDLE_BEAT] = 1_000;
  assert.deepEqual(look(1_010), ["loop-idle", 3, LOOP_MESSAGES_ONLY, 0, 1_010, true]);
  assert.equal(look(1_020), undefined);
  // Its module adds its 'message' listener: where it listens is told, still waiting.
  words[RING_MESSAGE_SITE] = 7;
  assert.deepEqual(look(1_030), ["loop-idle", 3, LOOP_MESSAGES_ONLY, 7, 1_030, true]);
  assert.equal(look(1_040), undefined);
  // Busy (its beat cleared): no longer waiting, and no site.
  words[RING_IDLE_BEAT] = 0;
  assert.deepEqual(look(1_050), ["loop-idle", 3, LOOP_MESSAGES_ONLY, 0, 1_050, false]);
  assert.equal(look(1_060), undefined);
});
