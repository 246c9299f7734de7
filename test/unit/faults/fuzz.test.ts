// Fault and fuzz suite (issue 12): the binary event decoder and the ring reader on arbitrary
// words (what a corrupted or hostile ring holds), and a trace cut short at any byte, as a kill
// leaves it, which the reader must still load once the supervisor has marked it.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import {
  EVENT_WORDS,
  MAX_THREAD_IDENT,
  decodeEvent,
  packHead,
} from "../../../src/protocol/binaryEvents.ts";
import { EVENT_KINDS, WAIT_REASONS } from "../../../src/protocol/events.ts";
import { eventTraits } from "../../../src/protocol/kinds.ts";
import { RING_HEADER_WORDS, RING_READ, RING_WRITE } from "../../../src/protocol/recorderWire.ts";
import { parseTrace, writeTrace } from "../../../src/protocol/traceText.ts";
import { RingReader } from "../../../src/recorder/ringReader.ts";
import { markTraceCutShort } from "../../../src/launch/traceEnd.ts";
import { traceArb } from "../protocol/arbitraries.ts";

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

describe("binary event decoder", () => {
  test("any four words decode to a well-formed event or to nothing (property)", () => {
    fc.assert(
      fc.property(fc.array(int32, { minLength: 4, maxLength: 4 }), fc.nat(), (words, base) => {
        const event = decodeEvent(Int32Array.from(words), 0, base);
        const code = (words[0] ?? 0) & 0x3f;
        if (code === 0 || code > EVENT_KINDS.length) return event === undefined;
        // The reason bits: a wait reason (1-5) belongs to wait-begin only, the shared mark (7)
        // to acquisitions only: elsewhere the words are no event.
        const kind = EVENT_KINDS[code - 1] as (typeof EVENT_KINDS)[number];
        const reasonBits = ((words[0] ?? 0) >>> 7) % 8;
        if (reasonBits === 7 && !eventTraits(kind).holding) return event === undefined;
        const reason =
          reasonBits === 0 || reasonBits === 7 ? undefined : WAIT_REASONS[reasonBits - 1];
        if (reason !== undefined && kind !== "wait-begin") return event === undefined;
        assert.ok(event !== undefined);
        assert.equal(event.kind, kind);
        assert.ok(event.thread >= 0 && event.thread <= MAX_THREAD_IDENT);
        assert.equal(event.object, words[1]);
        assert.equal(event.site, words[2]);
        assert.equal(event.time, base + ((words[3] ?? 0) >>> 0));
        if (event.kind === "wait-begin") assert.equal(event.reason, reason);
        return true;
      }),
      { numRuns: 2000 },
    );
  });

  test("what packHead writes decodes back (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...EVENT_KINDS),
        fc.integer({ min: 0, max: MAX_THREAD_IDENT }),
        fc.boolean(),
        fc.option(fc.constantFrom(...WAIT_REASONS), { nil: undefined }),
        int32,
        int32,
        fc.nat(),
        (kind, thread, flag, reason, object, site, time) => {
          const words = Int32Array.of(packHead(kind, thread, flag, reason), object, site, time);
          const expected = { kind, thread, object, site, time, flag };
          // Only a wait-begin carries a reason: on any other kind the words are no event.
          const decoded = decodeEvent(words, 0);
          if (reason === undefined) assert.deepEqual(decoded, expected);
          else if (kind === "wait-begin") assert.deepEqual(decoded, { ...expected, reason });
          else assert.equal(decoded, undefined);
        },
      ),
    );
  });
});

describe("ring reader", () => {
  const CAPACITY = 8;

  test("any ring contents and counters: bounded drain, times in order, all read (property)", () => {
    fc.assert(
      fc.property(
        fc.array(int32, { minLength: CAPACITY * EVENT_WORDS, maxLength: CAPACITY * EVENT_WORDS }),
        int32,
        int32,
        (events, read, write) => {
          const buffer = new SharedArrayBuffer((RING_HEADER_WORDS + CAPACITY * EVENT_WORDS) * 4);
          const words = new Int32Array(buffer);
          words.set(events, RING_HEADER_WORDS);
          words[RING_READ] = read;
          words[RING_WRITE] = write;
          const drained = new RingReader(buffer, 1).drain();
          // A writer never gets more than a ring ahead: anything beyond is corruption, and
          // never more than one ring's worth is read.
          assert.ok(drained.length <= CAPACITY, `${drained.length} events from ${CAPACITY}`);
          for (let i = 1; i < drained.length; i++)
            assert.ok((drained[i]?.time ?? 0) >= (drained[i - 1]?.time ?? 0));
          assert.equal(words[RING_READ], write, "the reader caught up with the writer");
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("a trace cut short", () => {
  test("cut at any byte and marked, it loads: a prefix of the events, then the mark (property)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "threadlens-cut-"));
    const file = path.join(dir, "cut.tltrace");
    try {
      fc.assert(
        fc.property(traceArb, fc.double({ min: 0, max: 1, noNaN: true }), (trace, where) => {
          const full = Buffer.from(writeTrace(trace));
          const header = full.indexOf("\n") + 1;
          const cut = header + Math.floor((full.length - header) * where);
          writeFileSync(file, full.subarray(0, cut));
          markTraceCutShort(file, "the program was killed by SIGKILL after 1.0 s");
          const text = readFileSync(file, "utf8");
          assert.match(text, /\n# cut short: the program was killed by SIGKILL after 1\.0 s\n$/);
          const loaded = parseTrace(text);
          assert.deepEqual(loaded.events, trace.events.slice(0, loaded.events.length));
          assert.deepEqual(loaded.meta, trace.meta.slice(0, loaded.meta.length));
        }),
        { numRuns: 300 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a trace the recorder closed is left as it is", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "threadlens-cut-"));
    const file = path.join(dir, "closed.tltrace");
    try {
      const text = "# threadlens trace 1\n# end: the program exited with code 0\n";
      writeFileSync(file, text);
      markTraceCutShort(file, "killed");
      assert.equal(readFileSync(file, "utf8"), text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
