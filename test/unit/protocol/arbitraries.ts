// Shared test data for the protocol tests: a hand-built trace with every event kind and every
// meta kind, and fast-check generators of random valid traces.
import fc from "fast-check";
import {
  EVENT_KINDS,
  WAIT_REASONS,
  type MetaRecord,
  type ObjectKind,
  type Trace,
  type TraceEvent,
} from "../../../src/protocol/events.ts";

export const OBJECT_KINDS: readonly ObjectKind[] = [
  "Lock",
  "RLock",
  "Condition",
  "Semaphore",
  "BoundedSemaphore",
  "Event",
  "Queue",
  "LifoQueue",
  "PriorityQueue",
  "Barrier",
  "Pool",
  "Atomics",
];

/** Names that exercise quoting: spaces, quotes, backslashes, unicode, look-alike keywords. */
export const TRICKY_NAMES = [
  "lockA",
  "this.lockA",
  "Lock@app.ts:12",
  "<top>",
  "<anonymous>",
  "",
  "two words",
  'say "hi"',
  "back\\slash",
  "tab\there",
  "new\nline",
  "ünïcødé 🔒",
  "锁",
  "lone \ud800 surrogate",
  "line\u2028separator",
  "kind=main",
  "a | b",
  "#hash",
  "42",
  "-1",
  "true",
  "flag",
];

export function sampleTrace(): Trace {
  const meta: MetaRecord[] = [
    { type: "thread", ident: 1, name: "main", kind: "main", parent: 0, daemon: false },
    { type: "thread", ident: 2, name: "worker #1 (pool)", kind: "worker", parent: 1, daemon: true },
    { type: "thread", ident: 3, name: "tâche «A»", kind: "task", parent: 1, daemon: false },
    ...OBJECT_KINDS.map((kind, i): MetaRecord => ({
      type: "object",
      id: 10 + i,
      kind,
      name: TRICKY_NAMES[i % TRICKY_NAMES.length]!,
      site: i,
      capacity: i * 3,
    })),
    {
      type: "site",
      id: 3,
      frames: [
        { file: "/abs/app.ts", line: 12, column: 9, function: "doA" },
        { file: "C:\\work\\my app\\main.ts", line: 30, column: 3, function: "<top>" },
        { file: '/q"uoted/ü.ts', line: 0, column: 0, function: 'say "hi" | bye' },
      ],
    },
    { type: "site", id: 4, frames: [] },
    { type: "dropped", thread: 2, count: 10 },
    { type: "dropped", thread: 2, count: 5 },
  ];
  const events: TraceEvent[] = EVENT_KINDS.map((kind, i) => ({
    kind,
    thread: 1 + (i % 3),
    object: kind === "thread-exit" ? -1 : 10 + (i % OBJECT_KINDS.length),
    site: i % 5,
    time: i * 1234.5 + (i === 3 ? 0.001 : 0),
    flag: i % 2 === 0,
    ...(kind === "wait-begin" ? { reason: WAIT_REASONS[i % WAIT_REASONS.length]! } : {}),
  }));
  events.push({ kind: "wait-begin", thread: 3, object: 19, site: 0, time: 9e12, flag: false });
  return { meta, events };
}

// fc.record builds null-prototype objects, which deepStrictEqual tells apart from the reader's.
function plainRecord<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model).map((r) => ({ ...r }));
}

const name = fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.constantFrom(...TRICKY_NAMES));
const id = fc.oneof(fc.nat(100), fc.maxSafeNat());
const time = fc.oneof(
  fc.maxSafeNat(),
  fc.nat(10_000_000),
  // + 0 turns a generated -0 into 0: the text format has no negative zero.
  fc.double({ min: 0, max: 1e12, noNaN: true }).map((x) => x + 0),
);

const frame = plainRecord({ file: name, line: fc.nat(), column: fc.nat(), function: name });

/** Random meta records with unique thread idents, object ids and site ids. */
const metaRecords = fc
  .tuple(
    fc.uniqueArray(
      plainRecord({
        type: fc.constant("thread" as const),
        ident: id,
        name,
        kind: fc.constantFrom("main" as const, "worker" as const, "task" as const),
        parent: id,
        daemon: fc.boolean(),
      }),
      { selector: (t) => t.ident, maxLength: 5 },
    ),
    fc.uniqueArray(
      plainRecord({
        type: fc.constant("object" as const),
        id,
        kind: fc.constantFrom(...OBJECT_KINDS),
        name,
        site: id,
        capacity: id,
      }),
      { selector: (o) => o.id, maxLength: 5 },
    ),
    fc.uniqueArray(
      plainRecord({
        type: fc.constant("site" as const),
        id,
        frames: fc.array(frame, { maxLength: 4 }),
      }),
      { selector: (s) => s.id, maxLength: 5 },
    ),
    fc.array(plainRecord({ type: fc.constant("dropped" as const), thread: id, count: id }), {
      maxLength: 2,
    }),
  )
  .chain(([threads, objects, sites, dropped]) =>
    fc.shuffledSubarray<MetaRecord>([...threads, ...objects, ...sites, ...dropped], {
      minLength: threads.length + objects.length + sites.length + dropped.length,
    }),
  );

const event: fc.Arbitrary<TraceEvent> = fc
  .record({
    kind: fc.constantFrom(...EVENT_KINDS),
    thread: id,
    object: fc.oneof(fc.integer({ min: -300, max: 300 }), fc.maxSafeInteger()),
    site: id,
    time,
    flag: fc.boolean(),
    reason: fc.option(fc.constantFrom(...WAIT_REASONS), { nil: undefined }),
  })
  // Only a wait-begin has a reason (a reason on another kind is no event: makeEvent).
  .map(({ reason, ...rest }): TraceEvent =>
    reason === undefined || rest.kind !== "wait-begin"
      ? rest
      : { ...rest, kind: rest.kind, reason },
  );

export const traceArb: fc.Arbitrary<Trace> = plainRecord({
  meta: metaRecords,
  events: fc.array(event, { maxLength: 30 }),
});
