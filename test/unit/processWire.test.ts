// Primitives shared across processes (DESIGN 3.3), below the programs tier: the wire's frames,
// messages and handles, and the run's recorder making another process's object the owner's
// (the operations themselves run between real processes: test/programs/processes.test.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  FrameReader,
  MAX_FRAME,
  encodeFrame,
  isRemoteHandle,
  type WireMessage,
} from "../../src/protocol/primitiveWire.ts";
import type { MetaRecord, TraceEvent } from "../../src/protocol/events.ts";
import type { RelayMessage } from "../../src/protocol/processLink.ts";
import { ProcessHub } from "../../src/recorder/processHub.ts";

const MESSAGES: WireMessage[] = [
  { type: "hello", pid: 4242 },
  {
    type: "call",
    call: 1,
    object: 7,
    thread: 3,
    op: "put",
    args: [new Map([["k", [1, 2n, new Date(5)]]]), { timeout: 10, block: true }],
  },
  { type: "blocked", call: 1 },
  { type: "done", call: 1, value: undefined },
  { type: "error", call: 2, name: "QueueFull", message: "items is full (maxsize 2)" },
];

test("wire: every message survives its frame, structured-clone values included", () => {
  const reader = new FrameReader();
  for (const message of MESSAGES) assert.deepEqual(reader.push(encodeFrame(message)), [message]);
});

test("wire: frames split anywhere and joined in one chunk come out whole and in order", () => {
  const bytes = Buffer.concat(MESSAGES.map(encodeFrame));
  const byByte = new FrameReader();
  const out: WireMessage[] = [];
  for (let i = 0; i < bytes.length; i++) out.push(...byByte.push(bytes.subarray(i, i + 1)));
  assert.deepEqual(out, MESSAGES);
  assert.deepEqual(new FrameReader().push(bytes), MESSAGES);
});

test("wire: a handle has every field it needs to reach its owner", () => {
  const handle = {
    kind: "Queue",
    id: 3,
    name: "jobs",
    pid: 4242,
    socket: "/tmp/x/primitives.sock",
    capacity: 2,
  };
  assert.equal(isRemoteHandle(handle), true);
  for (const key of Object.keys(handle))
    assert.equal(isRemoteHandle({ ...handle, [key]: undefined }), false, key);
  assert.equal(isRemoteHandle(null), false);
});

test("wire: a frame too long, or one that is no message of the wire, is refused", () => {
  const long = Buffer.alloc(4);
  long.writeUInt32BE(MAX_FRAME + 1, 0);
  assert.throws(() => new FrameReader().push(long), /frame of \d+ bytes refused/);
  const foreign = encodeFrame({ type: "hello", pid: 1 });
  // The same bytes with the type changed to something else ("jello").
  const at = foreign.indexOf("hello");
  foreign.write("jello", at);
  assert.throws(() => new FrameReader().push(foreign), /not a threadlens primitive message/);
});

/** Resolves once `check()` holds; fails after `limitMs` (the socket never delivered). */
async function until(check: () => boolean, limitMs = 20_000): Promise<void> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > limitMs) assert.fail("the relay's lines never arrived");
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test("recording: the run's recorder makes a child's object of another process the owner's object", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-wire-"));
  try {
    const meta: MetaRecord[] = [];
    const epoch = performance.timeOrigin;
    const hub = new ProcessHub(
      path.join(dir, "r.sock"),
      100,
      epoch,
      (m) => meta.push(m),
      () => 0,
    );
    await hub.listening;
    const socket = connect(path.join(dir, "r.sock"));
    const event = (kind: TraceEvent["kind"], object: number, time: number): TraceEvent => ({
      kind,
      thread: 1,
      object,
      site: 0,
      time,
      flag: false,
    });
    const lines: RelayMessage[] = [
      {
        type: "hello",
        pid: 200,
        parentPid: 100,
        epoch,
        script: "peer.ts",
        link: { pid: 100, ident: 7, starter: 1, name: "peer" },
      },
      {
        type: "meta",
        record: { type: "thread", ident: 1, name: "main", kind: "main", parent: 0, daemon: false },
      },
      // Object 5 of this child is object 42 of process 100 (the root); object 6 is its own.
      {
        type: "meta",
        record: {
          type: "object",
          id: 5,
          kind: "Lock",
          name: "lockA",
          site: 0,
          capacity: 0,
          origin: { pid: 100, id: 42 },
        },
      },
      {
        type: "meta",
        record: { type: "object", id: 6, kind: "Lock", name: "own", site: 0, capacity: 0 },
      },
      {
        type: "events",
        events: [event("thread-start", 0, 1), event("acquired", 5, 2), event("acquired", 6, 3)],
        now: 4,
      },
    ];
    socket.write(lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
    const taken: TraceEvent[] = [];
    await until(() => {
      taken.push(...hub.take([], true));
      return taken.length === 2;
    });
    socket.destroy();
    hub.close();
    // The child's own main-thread record and start are its parent's to say: not repeated.
    assert.deepEqual(meta, [
      { type: "object", id: 1 << 30, kind: "Lock", name: "own", site: 0, capacity: 0 },
    ]);
    assert.deepEqual(
      taken.map((e) => `${e.kind} ${e.thread} ${e.object}`),
      ["acquired 7 42", `acquired 7 ${1 << 30}`],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
