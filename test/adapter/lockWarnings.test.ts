// lockTimeoutWarningMs (DESIGN 6): while a lock is held (or waited for) longer than the
// threshold, the Debug Console names the thread, the lock, the site and the duration, the line
// links to the site, and the views get `threadlens/warning` events; when the hold ends, both say
// so. The fixture holds its lock for 3 s against a threshold of 100 ms.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DebugProtocol } from "@vscode/debugprotocol";
import type { LockWarningBody } from "../../src/adapter/customProtocol.ts";
import { EVENT_TIMEOUT_MS, fixture, launch, lineOf, useClient } from "./helpers.ts";

const PROGRAM = "adapter/long-hold.ts";

/** The first output event matching `pattern` (its text and DAP source position). */
function outputEvent(
  client: ReturnType<typeof useClient>,
  pattern: RegExp,
): Promise<DebugProtocol.OutputEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no output matching ${pattern}`)),
      EVENT_TIMEOUT_MS,
    );
    const listener = (event: DebugProtocol.OutputEvent): void => {
      if (!pattern.test(event.body.output)) return;
      clearTimeout(timer);
      client.off("output", listener);
      resolve(event);
    };
    client.on("output", listener);
  });
}

describe("lockTimeoutWarningMs: long holds and waits, live", () => {
  const client = useClient();

  test(
    "a hold past the threshold is named while held, and again when released",
    { timeout: 90_000 },
    async () => {
      const warnings: LockWarningBody[] = [];
      client.on("threadlens/warning", (e: DebugProtocol.Event) =>
        warnings.push(e.body as LockWarningBody),
      );
      const held = outputEvent(client, /main has held config for \d+ ms, still held/);
      const released = outputEvent(client, /main released config after holding it for \d+ ms/);
      const waited = outputEvent(client, /reader has waited \d+ ms for config, held by main/);
      const terminated = client.waitForEvent("terminated", 60_000);
      await launch(client, { program: `test/fixtures/${PROGRAM}`, lockTimeoutWarningMs: 100 });

      const line = lineOf(PROGRAM, "config.acquireSync();", 1);
      const heldEvent = await held;
      const text = heldEvent.body.output;
      assert.match(
        text,
        new RegExp(
          `^threadlens: main has held config for (\\d+) ms, still held \\(taken at test/fixtures/${PROGRAM}:${line}:\\d+\\)\\n$`,
        ),
      );
      assert.ok(Number(/for (\d+) ms/.exec(text)?.[1]) >= 100, text);
      // The line links to where the lock was taken.
      assert.equal(heldEvent.body.source?.path, fixture(PROGRAM));
      assert.equal(heldEvent.body.line, line);

      const waitText = (await waited).body.output;
      assert.match(
        waitText,
        new RegExp(
          `\\(waiting at test/fixtures/${PROGRAM}:${lineOf(PROGRAM, "config.acquireSync();", 2)}:\\d+\\)\\n$`,
        ),
      );

      assert.match(
        (await released).body.output,
        new RegExp(`\\(taken at test/fixtures/${PROGRAM}:${line}:\\d+\\)\\n$`),
      );
      await terminated;

      // The views' events: the hold while it lasted, then its end, under one id.
      const holds = warnings.filter((w) => w.kind === "hold");
      const first = holds[0];
      assert.ok(first, JSON.stringify(warnings));
      assert.deepEqual(
        { thread: first.thread, lock: first.lock, active: first.active, line: first.site?.line },
        { thread: "main", lock: "config", active: true, line },
      );
      assert.ok(first.durationMs >= 100);
      assert.equal(first.site?.file, fixture(PROGRAM));
      const last = holds.at(-1);
      assert.equal(last?.active, false);
      assert.ok(
        holds.every((w) => w.id === first.id),
        "one id per hold",
      );
      assert.ok((last?.durationMs ?? 0) >= first.durationMs);
      const waits = warnings.filter((w) => w.kind === "wait");
      assert.deepEqual(
        waits.map((w) => [w.thread, w.lock, w.active]),
        [
          ["reader", "config", true],
          ...waits.slice(1, -1).map(() => ["reader", "config", true]),
          ["reader", "config", false],
        ],
      );
    },
  );
});
