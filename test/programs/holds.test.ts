// Which lock holds reach the trace (src/runtime/pendingHolds.ts): a program runs under the real
// CLI with --trace, and the recorded events of its locks are checked in order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { cliRun } from "./cliJson.ts";

/** The trace's event lines of `fixture`, with object ids replaced by their names. */
function tracedEvents(fixture = "holds.ts", status = 0): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-holds-"));
  try {
    const trace = path.join(dir, "holds.tltrace");
    const r = cliRun(["run", `test/fixtures/analysis/${fixture}`, "--trace", trace]);
    assert.equal(r.status, status, r.stderr);
    const lines = readFileSync(trace, "utf8").split("\n");
    const names = new Map<string, string>();
    for (const line of lines) {
      const object = /^object (\d+) \w+ (\S+) /.exec(line);
      if (object?.[1] !== undefined && object[2] !== undefined) names.set(object[1], object[2]);
    }
    return lines.flatMap((line) => {
      const event = /^[\d.]+ ([\w-]+) thread=\d+ object=(\d+)/.exec(line);
      // A loop-idle's object is a code (LOOP_BLOCKED, ...), not a primitive.
      if (event?.[1] === "loop-idle") return [];
      const name = names.get(event?.[2] ?? "");
      return event?.[1] !== undefined && name !== undefined ? [`${event[1]} ${name}`] : [];
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 1000 isolated holds of `solo`, one in 256 recorded for the timeline: not none, not all. */
function assertSoloSampled(events: readonly string[]): void {
  const solo = events.filter((e) => e === "acquired solo").length;
  assert.ok(solo >= 1 && solo <= 4, `${solo} of 1000 isolated holds of solo recorded`);
  assert.equal(events.filter((e) => e === "release solo").length, solo);
}

/** The holds.ts shape after its isolated holds: a nesting, then a hold across a wait. */
const NESTED_THEN_HELD = [
  "acquired outer",
  "acquired inner",
  "release inner",
  "release outer",
  "acquired held",
  "wait-begin never",
  "wait-end never",
  "release held",
];

test("lock holds: isolated ones sampled, nested ones recorded, held ones recorded before a block", () => {
  const events = tracedEvents();
  assertSoloSampled(events);
  const rest = events.filter((e) => !e.endsWith(" solo") && !e.startsWith("create "));
  assert.deepEqual(rest, NESTED_THEN_HELD);
});

test("async-mutex holds are recorded as a Lock's: isolated ones sampled, the rest recorded", () => {
  // Each of async-mutex's acquisitions and releases was recorded (600,000 pairs overflowed the
  // ring); its holds are now a Lock's, and what the analyses need of them is still recorded:
  // nested holds, a hold across a wait, a branch's request and the acquisition that ends it.
  const events = tracedEvents("holdsAsyncMutex.ts").filter((e) =>
    /^(acquired|release|acquire-request|wait-begin|wait-end) /.test(e),
  );
  assertSoloSampled(events);
  assert.deepEqual(
    events.filter((e) => !e.endsWith(" solo")),
    [
      ...NESTED_THEN_HELD,
      "acquired busy",
      "acquire-request busy",
      "release busy",
      "acquired busy",
      "release busy",
    ],
  );
});

test("lock holds: a repeated nesting recorded once, and both holds before a block", () => {
  const events = tracedEvents("holdsRepeated.ts").filter((e) => !e.startsWith("create "));
  assert.deepEqual(events, [
    "acquired outer",
    "acquired inner",
    "release inner",
    "release outer",
    "acquired outer",
    "acquired inner",
    "wait-begin never",
    "wait-end never",
    "release inner",
    "release outer",
  ]);
});

test("lock holds: a hot loop's unrecorded holds are sampled at most once per 10 ms of its thread", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-holds-"));
  try {
    const trace = path.join(dir, "hot.tltrace");
    const r = cliRun(["run", "test/fixtures/analysis/holdsHot.ts", "--trace", trace]);
    assert.equal(r.status, 0, r.stderr);
    const names = new Map<string, string>();
    const holds: { kind: string; lock: string; ms: number }[] = [];
    for (const line of readFileSync(trace, "utf8").split("\n")) {
      const object = /^object (\d+) \w+ (\S+) /.exec(line);
      if (object?.[1] !== undefined && object[2] !== undefined) names.set(object[1], object[2]);
      const event = /^([\d.]+) (acquired|release) thread=1 object=(\d+)/.exec(line);
      if (event?.[1] === undefined || event[2] === undefined) continue;
      holds.push({ kind: event[2], lock: names.get(event[3] ?? "") ?? "", ms: Number(event[1]) });
    }
    // The first nesting, recorded for the lock-order graph; then only samples, each one hold.
    assert.deepEqual(
      holds.slice(0, 4).map((h) => `${h.kind} ${h.lock}`),
      ["acquired outer", "acquired inner", "release inner", "release outer"],
    );
    const sampled = holds.slice(4);
    const acquired = sampled.filter((h) => h.kind === "acquired");
    for (let i = 0; i < sampled.length; i += 2) {
      assert.equal(sampled[i]?.kind, "acquired");
      assert.deepEqual(sampled[i + 1] && [sampled[i + 1]?.kind, sampled[i + 1]?.lock], [
        "release",
        sampled[i]?.lock,
      ]);
    }
    // 1,199,998 unrecorded holds: one in 256 would be 4,687 samples. The loop runs for more than
    // 10 ms on any machine (a recorded hold costs more than 9 ns), so two are sampled at least.
    assert.ok(acquired.length >= 2, `${acquired.length} sampled holds`);
    assert.ok(acquired.length < 4687, `${acquired.length} sampled holds`);
    for (let i = 1; i < acquired.length; i++) {
      const gap = (acquired[i]?.ms ?? 0) - (acquired[i - 1]?.ms ?? 0);
      assert.ok(gap >= 9.9995, `sampled holds ${gap.toFixed(3)} ms apart`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("lock holds: a bad release of an isolated hold drops the hold and is recorded", () => {
  // Exit 1: the bad release is a misuse finding. The task's release is recorded (no hold of its
  // own), main's is the bad one, and main's hold, ended by the task, is never recorded.
  const lockEvents = /^(acquired|release|bad-release) twice$/;
  const events = tracedEvents("badReleaseSolo.ts", 1).filter((e) => lockEvents.test(e));
  assert.deepEqual(events, ["release twice", "bad-release twice"]);
});
