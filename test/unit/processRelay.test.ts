// A child process's recorder relays to the root's (src/recorder/processRelay.ts). The root's
// recorder starts while its program runs, so a child started at once may find its socket not
// there yet: the relay tries again, and what it sent meanwhile arrives, in order. A pause in
// force when a child's recorder connects is told to it at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import {
  parseRelayLine,
  type HubCommand,
  type RelayMessage,
} from "../../src/protocol/processLink.ts";
import { ProcessHub } from "../../src/recorder/processHub.ts";
import { ProcessRelay } from "../../src/recorder/processRelay.ts";

test("a relay whose root is not listening yet connects once it is, and sends everything in order", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-relay-"));
  const socketPath = path.join(dir, "recorder.sock");
  const server = createServer();
  try {
    const relay = new ProcessRelay(socketPath, 1234.5, "child.ts", undefined, "child");
    relay.addMeta({ type: "site", id: 7, frames: [] });
    relay.addEvents([], 42);
    const received: RelayMessage[] = [];
    const ended = new Promise<void>((resolve) => {
      server.on("connection", (socket) => {
        const lines = createInterface({ input: socket });
        lines.on("line", (line) => {
          const message = parseRelayLine(line);
          if (message !== undefined) received.push(message);
        });
        lines.on("close", resolve);
      });
    });
    // Its first try found no socket (a path socket connects at once: ENOENT); it tries again
    // every 10 ms, and the root starts listening now.
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    await relay.finish(3);
    await ended;
    assert.deepEqual(
      received.map((m) => m.type),
      ["hello", "meta", "events", "exit"],
    );
    const hello = received[0] as Extract<RelayMessage, { type: "hello" }>;
    assert.equal(hello.pid, process.pid);
    assert.equal(hello.epoch, 1234.5);
    assert.equal(hello.script, "child.ts");
    assert.deepEqual(received[1], { type: "meta", record: { type: "site", id: 7, frames: [] } });
    assert.deepEqual(received[3], { type: "exit", code: 3 });
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Resolves once `done()` holds, checking after each turn of the event loop. */
async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not ${what} within 30 s`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test("a child process that connects after the debugger's pause is told it, and the hub says when it applied it", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-hub-"));
  const socketPath = path.join(dir, "recorder.sock");
  const rootPid = process.pid + 1;
  const hub = new ProcessHub(
    socketPath,
    rootPid,
    0,
    () => undefined,
    () => 0,
  );
  let relay: ProcessRelay | undefined;
  try {
    await hub.listening;
    // The root started the Process `looper` (logical thread 5) and announced it.
    const looper = 5;
    hub.rootMeta({
      type: "thread",
      ident: looper,
      name: "looper",
      kind: "main",
      parent: 1,
      daemon: false,
      pid: 4242,
    });
    hub.command({ type: "pause", generation: 3 });
    assert.equal(hub.pauseAppliedAt(looper, 3), undefined, "announced, not told yet");
    assert.equal(hub.pauseAppliedAt(1, 3), null, "the root's own thread");
    // Its recorder connects only now.
    const told: HubCommand[] = [];
    relay = new ProcessRelay(
      socketPath,
      0,
      "looping.ts",
      { pid: rootPid, ident: looper, starter: 1, name: "looper" },
      undefined,
      (command) => {
        told.push(command);
        if (command.type === "pause") relay?.pauseApplied(command.generation);
      },
    );
    relay.addMeta({
      type: "thread",
      ident: 1,
      name: "main",
      kind: "main",
      parent: 0,
      daemon: false,
    });
    await until(() => told.length > 0, "told the pause");
    assert.deepEqual(told, [{ type: "pause", generation: 3 }]);
    await until(() => typeof hub.pauseAppliedAt(looper, 3) === "number", "applied");
    assert.equal(hub.pauseAppliedAt(looper, 4), undefined, "another pause is not applied");
  } finally {
    await relay?.finish(0);
    hub.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
