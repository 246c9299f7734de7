// A child process's recorder relays to the root's (src/recorder/processRelay.ts). The root's
// recorder starts while its program runs, so a child started at once may find its socket not
// there yet: the relay tries again, and what it sent meanwhile arrives, in order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { parseRelayLine, type RelayMessage } from "../../src/protocol/processLink.ts";
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
