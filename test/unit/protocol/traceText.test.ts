// The .tltrace text format: exact round trips (hand-built and random traces), the text the
// writer produces, and the reader's refusal of malformed or hostile input with the right line.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  MAX_LINE_LENGTH,
  TRACE_HEADER,
  TraceParseError,
  formatEvent,
  formatMeta,
  formatTime,
  parseTrace,
  writeTrace,
} from "../../../src/protocol/traceText.ts";
import { EVENT_KINDS, type Trace } from "../../../src/protocol/events.ts";
import { sampleTrace, traceArb } from "./arbitraries.ts";

describe("writeTrace / parseTrace round trip", () => {
  test("a trace with every event kind and every meta kind reads back deep-equal", () => {
    const trace = sampleTrace();
    const kinds = new Set(trace.events.map((e) => e.kind));
    assert.deepEqual([...kinds].sort(), [...EVENT_KINDS].sort());
    assert.deepEqual(
      new Set(trace.meta.map((m) => m.type)),
      new Set(["thread", "object", "site", "dropped"]),
    );
    assert.deepEqual(parseTrace(writeTrace(trace)), trace);
  });

  test("random valid traces read back deep-equal (property)", () => {
    fc.assert(
      fc.property(traceArb, (trace) => {
        assert.deepEqual(parseTrace(writeTrace(trace)), trace);
      }),
      { numRuns: 500 },
    );
  });

  test("times: milliseconds with microsecond precision, exact for any microsecond value", () => {
    assert.equal(formatTime(0), "0.000");
    assert.equal(formatTime(7), "0.007");
    assert.equal(formatTime(12_345), "12.345");
    assert.equal(formatTime(1_000_000), "1000.000");
    assert.equal(formatTime(0.5), "0.0005");
    assert.equal(formatTime(Number.MAX_SAFE_INTEGER), "9007199254740.991");
    assert.throws(() => formatTime(-1), RangeError);
    assert.throws(() => formatTime(Number.NaN), RangeError);
    fc.assert(
      fc.property(fc.double({ min: 0, max: Number.MAX_SAFE_INTEGER, noNaN: true }), (us) => {
        const text = `${TRACE_HEADER}\n${formatTime(us)} set thread=1 object=1 site=0\n`;
        assert.equal(parseTrace(text).events[0]!.time, us + 0);
      }),
    );
  });

  test("the text is the documented grammar, one record per line", () => {
    const trace: Trace = {
      meta: [
        { type: "thread", ident: 1, name: "main", kind: "main", parent: 0, daemon: false },
        { type: "object", id: 5, kind: "Lock", name: "lockA", site: 3, capacity: 0 },
        { type: "object", id: 6, kind: "Queue", name: "job queue", site: 0, capacity: 10 },
        {
          type: "site",
          id: 3,
          frames: [
            { file: "/abs/app.ts", line: 12, column: 9, function: "doA" },
            { file: "/abs/app.ts", line: 30, column: 3, function: "<top>" },
          ],
        },
        { type: "dropped", thread: 2, count: 10 },
      ],
      events: [
        { kind: "acquired", thread: 2, object: 5, site: 3, time: 12_345, flag: false },
        {
          kind: "wait-begin",
          thread: 2,
          object: 6,
          site: 0,
          time: 12_400,
          flag: true,
          reason: "get",
        },
      ],
    };
    assert.equal(
      writeTrace(trace),
      [
        "# threadlens trace 1",
        "thread 1 main kind=main parent=0 daemon=false",
        "object 5 Lock lockA site=3 capacity=0",
        'object 6 Queue "job queue" site=0 capacity=10',
        'site 3 "/abs/app.ts":12:9 doA | "/abs/app.ts":30:3 <top>',
        "dropped thread=2 count=10",
        "12.345 acquired thread=2 object=5 site=3",
        "12.400 wait-begin thread=2 object=6 site=0 flag reason=get",
        "",
      ].join("\n"),
    );
    assert.equal(formatMeta(trace.meta[0]!), "thread 1 main kind=main parent=0 daemon=false");
    assert.equal(formatEvent(trace.events[0]!), "12.345 acquired thread=2 object=5 site=3");
  });

  test("the writer refuses values the reader would refuse", () => {
    const e = { kind: "set", thread: 1, object: 1, site: 0, time: 0, flag: false } as const;
    assert.throws(() => formatEvent({ ...e, thread: -1 }), RangeError);
    assert.throws(() => formatEvent({ ...e, object: 1.5 }), RangeError);
    assert.throws(() => formatEvent({ ...e, time: Infinity }), RangeError);
    const bad = JSON.parse('{"kind":"grab","thread":1,"object":1,"site":0,"time":0,"flag":false}');
    assert.throws(() => formatEvent(bad), RangeError);
  });

  test("the reader takes what people write: blanks, comments, CRLF, a BOM, any field order", () => {
    const text =
      "\ufeff# threadlens trace 1\r\n\r\n# a comment\r\n" +
      '  thread  7\t"my thread"   daemon=true parent=1 kind=task  \r\n' +
      "1.5 release site=0 flag object=-3 thread=7\r\n" +
      "2 release thread=7 object=1 site=0";
    assert.deepEqual(parseTrace(text), {
      meta: [
        { type: "thread", ident: 7, name: "my thread", kind: "task", parent: 1, daemon: true },
      ],
      events: [
        { kind: "release", thread: 7, object: -3, site: 0, time: 1500, flag: true },
        { kind: "release", thread: 7, object: 1, site: 0, time: 2000, flag: false },
      ],
    });
  });
});

/** Parses `lines` after the header (line 1), expecting a TraceParseError on `line`. */
function assertFailsAt(lines: readonly string[], line: number, pattern?: RegExp): void {
  const text = [TRACE_HEADER, ...lines].join("\n");
  assert.throws(
    () => parseTrace(text),
    (err: unknown) => {
      assert.ok(err instanceof TraceParseError, `not a TraceParseError: ${String(err)}`);
      assert.equal(err.line, line, err.message);
      assert.match(err.message, new RegExp(`^line ${line}: `));
      if (pattern) assert.match(err.message, pattern);
      return true;
    },
  );
}

const GOOD = [
  "thread 1 main kind=main parent=0 daemon=false",
  "object 5 Lock lockA site=3 capacity=0",
  'site 3 "/abs/app.ts":12:9 doA',
  "# comment",
  "",
  "1.000 acquired thread=1 object=5 site=3",
];

/** GOOD with line `line` (1-based, counting the header) replaced. */
function corrupt(line: number, text: string): string[] {
  const lines = [...GOOD];
  lines[line - 2] = text;
  return lines;
}

describe("malformed traces: TraceParseError with the exact line", () => {
  test("a good trace loads", () => {
    assert.equal(parseTrace([TRACE_HEADER, ...GOOD].join("\n")).events.length, 1);
  });

  const cases: [string, number, string, RegExp][] = [
    ["unknown record type", 3, "lock 5 Lock lockA site=3 capacity=0", /event time/],
    ["unknown event kind", 7, "1.000 grabbed thread=1 object=5 site=3", /event kind/],
    ["bad number", 2, "thread one main kind=main parent=0 daemon=false", /thread ident/],
    ["bad time", 7, "1.0.0 acquired thread=1 object=5 site=3", /event time/],
    ["negative id", 7, "1.000 acquired thread=-1 object=5 site=3", /thread=/],
    ["id beyond 2^53", 7, "1.000 acquired thread=9007199254740993 object=5 site=3", /thread=/],
    ["time beyond 2^53 µs", 7, "99999999999999999.000 acquired thread=1 object=5 site=3", /time/],
    ["unterminated string", 3, 'object 5 Lock "lockA site=3 capacity=0', /unterminated string/],
    ["bad string escape", 3, 'object 5 Lock "lock\\x" site=3 capacity=0', /JSON string/],
    ["control character in a string", 3, 'object 5 Lock "a\tb" site=3 capacity=0', /JSON string/],
    ["missing field", 2, "thread 1 main kind=main parent=0", /daemon=/],
    ["repeated field", 7, "1.000 acquired thread=1 thread=1 object=5 site=3", /repeated/],
    ["unknown field", 7, "1.000 acquired thread=1 object=5 site=3 color=red", /field/],
    ["flag with a value", 7, "1.000 acquired thread=1 object=5 site=3 flag=true", /field/],
    ["bad reason", 7, "1.000 wait-begin thread=1 object=5 site=3 reason=sleep", /reason=/],
    ["bad boolean", 2, "thread 1 main kind=main parent=0 daemon=yes", /daemon=/],
    ["bad thread kind", 2, "thread 1 main kind=fiber parent=0 daemon=false", /kind=/],
    ["bad object kind", 3, "object 5 Mutex lockA site=3 capacity=0", /object kind/],
    ["unquoted name with a quote", 3, 'object 5 Lock lo"ck site=3 capacity=0', /object name/],
    ["missing name", 2, "thread 1", /thread name/],
    ["site without a quoted file", 4, "site 3 /abs/app.ts:12:9 doA", /file/],
    ["site frame without column", 4, 'site 3 "/abs/app.ts":12 doA', /column/],
    ["site frames without |", 4, 'site 3 "/a.ts":1:1 f "/b.ts":2:2 g', /\|/],
    ["site ending in |", 4, 'site 3 "/a.ts":1:1 f |', /frame after/],
    ["glued items", 7, "1.000 acquiredthread=1 object=5 site=3", /event kind/],
    ["string glued to the next item", 3, 'object 5 Lock "lockA"site=3 capacity=0', /space/],
    ["duplicate thread", 3, "thread 1 again kind=worker parent=0 daemon=false", /line 2/],
    [
      "duplicate object",
      7,
      "object 5 Lock lockB site=3 capacity=0",
      /already defined differently on line 3/,
    ],
  ];
  for (const [what, line, text, pattern] of cases) {
    test(`${what} → line ${line}`, () => assertFailsAt(corrupt(line, text), line, pattern));
  }

  test("an identical repeat of a definition is kept; a different one is refused", () => {
    const repeat = [...GOOD, GOOD[1]!, GOOD[0]!];
    const trace = parseTrace([TRACE_HEADER, ...repeat].join("\n"));
    assert.deepEqual(trace.meta.slice(3), trace.meta.slice(0, 2).reverse());
    assertFailsAt([...repeat, 'site 3 "/abs/app.ts":12:10 doA'], 10, /site 3 .* on line 4/);
  });

  test("missing, foreign or future header → line 1", () => {
    for (const text of [
      "",
      "\n",
      "thread 1 main kind=main parent=0 daemon=false",
      "# threadlens trace 2",
    ]) {
      assert.throws(
        () => parseTrace(text),
        (err: unknown) => err instanceof TraceParseError && err.line === 1,
      );
    }
    assert.throws(() => parseTrace("# threadlens trace 2\n"), /unsupported trace version "2"/);
  });

  test("a line longer than 64 Ki characters → its line, without reading it", () => {
    const long = `1.000 set thread=1 object=1 site=0 ${" ".repeat(MAX_LINE_LENGTH)}`;
    assertFailsAt(corrupt(5, long), 5, /longer than 65536/);
    // Exactly at the limit is fine (trailing blanks are ignored).
    const fits = `1.000 set thread=1 object=1 site=0`.padEnd(MAX_LINE_LENGTH, " ");
    assert.equal(parseTrace([TRACE_HEADER, fits].join("\n")).events.length, 1);
  });

  test("more records than maxRecords → the first line over the limit", () => {
    const text = [TRACE_HEADER, ...GOOD].join("\n");
    assert.throws(
      () => parseTrace(text, { maxRecords: 2 }),
      (err: unknown) =>
        err instanceof TraceParseError && err.line === 4 && /more than 2 records/.test(err.message),
    );
    assert.equal(parseTrace(text, { maxRecords: 4 }).meta.length, 3);
  });

  test("input that is not text → line 0", () => {
    assert.throws(
      () => parseTrace(Buffer.from(TRACE_HEADER) as unknown as string),
      (err: unknown) => err instanceof TraceParseError && err.line === 0,
    );
  });

  test("hostile lines stay linear: 60 Ki blanks, backslashes, or quotes parse in milliseconds", () => {
    const n = MAX_LINE_LENGTH - 100;
    const hostile = [
      `thread 1 main${" ".repeat(n)}x`,
      `object 5 Lock "${"\\".repeat(n / 2)}`,
      `site 3 ${'"a":1:1 f | '.repeat(n / 12)}`,
      `1.000 set thread=1 object=1 site=0 ${"flag ".repeat(n / 5)}`,
      `${"9".repeat(n)} set thread=1 object=1 site=0`,
    ];
    const started = performance.now();
    for (const line of hostile) {
      assert.throws(() => parseTrace(`${TRACE_HEADER}\n${line}`), TraceParseError);
    }
    assert.ok(performance.now() - started < 1000, `took ${performance.now() - started} ms`);
  });
});

describe("random garbage only ever throws TraceParseError", () => {
  const tokens = fc.constantFrom(
    "thread",
    "object",
    "site",
    "dropped",
    "flag",
    "|",
    ":",
    "=",
    '"',
    "\\",
    "1",
    "-1",
    "1.5",
    "kind=main",
    "thread=1",
    "object=2",
    "site=3",
    "reason=get",
    "Lock",
    "acquired",
    "\t",
    " ",
    "\r",
    "\n",
    "#",
    "\ufeff",
    "\ud800",
    "99999999999999999999",
    "constructor",
    "__proto__",
  );
  const garbageLine = fc.oneof(
    fc.string({ unit: "binary" }),
    fc.array(tokens, { maxLength: 12 }).map((t) => t.join(" ")),
    fc.array(tokens, { maxLength: 12 }).map((t) => t.join("")),
  );

  /** Parses, returning the error (or undefined); any other exception fails the property. */
  function outcome(text: string): TraceParseError | undefined {
    try {
      parseTrace(text);
      return undefined;
    } catch (err) {
      if (err instanceof TraceParseError) return err;
      throw new Error(`not a TraceParseError: ${String(err)}`, { cause: err });
    }
  }

  test("garbage lines after a header (property)", () => {
    fc.assert(
      fc.property(fc.array(garbageLine, { maxLength: 8 }), (lines) => {
        const text = [TRACE_HEADER, ...lines].join("\n");
        const err = outcome(text);
        if (err) assert.ok(err.line >= 2 && err.line <= text.split("\n").length, err.message);
      }),
      { numRuns: 2000 },
    );
  });

  test("random edits of valid traces (property)", () => {
    const edit = fc.record({ at: fc.nat(), cut: fc.nat(4), insert: garbageLine });
    fc.assert(
      fc.property(traceArb, fc.array(edit, { minLength: 1, maxLength: 4 }), (trace, edits) => {
        let text = writeTrace(trace);
        for (const { at, cut, insert } of edits) {
          const i = at % (text.length + 1);
          text = text.slice(0, i) + insert + text.slice(i + cut);
        }
        const err = outcome(text);
        if (err) assert.ok(err.line >= 1 && err.line <= text.split("\n").length, err.message);
      }),
      { numRuns: 1000 },
    );
  });
});
