// The adapter on programs that run to their end: a clean program (S4) exits 0 with no stop and
// its console output in output events; a program's own exit code reaches `exited`; and pause
// stops threads at their next synchronization point until continue lets the program finish.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import type { DebugProtocol } from "@vscode/debugprotocol";
import {
  EVENT_TIMEOUT_MS,
  collectOutput,
  useClient,
  fixture,
  launch,
  lineOf,
  threadsByName,
  topFrame,
  waitUntilGone,
} from "./helpers.ts";

const TEST_TIMEOUT = { timeout: 240_000 };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe("a clean program runs to its end", () => {
  const client = useClient();

  test(
    "S4 exits 0 without a stop; output events carry its console output",
    TEST_TIMEOUT,
    async () => {
      const output = collectOutput(client);
      let stops = 0;
      client.on("stopped", () => stops++);
      const started = new Set<number>();
      client.on("thread", (e: DebugProtocol.ThreadEvent) => {
        if (e.body.reason === "started") started.add(e.body.threadId);
      });
      const exited = client.waitForEvent("exited", EVENT_TIMEOUT_MS);
      const terminated = client.waitForEvent("terminated", EVENT_TIMEOUT_MS);
      const dir = mkdtempSync(path.join(tmpdir(), "threadlens-adapter-"));
      const trace = path.join(dir, "s4.tltrace");
      const { pid } = await launch(client, {
        program: "test/fixtures/scenarios/s4-condition.ts",
        trace,
      });
      assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 0);
      await terminated;
      assert.equal(stops, 0, "no stop");
      const stdout = output.get("stdout") ?? "";
      assert.match(stdout, /consumed 3000 items, sum \d+, left 0/);
      assert.match(stdout, /exit codes: 0,0,0,0,0/);
      // main, three producers, two consumers
      assert.ok(started.size >= 6, `thread started events: ${started.size}`);
      assert.ok(pid !== undefined && (await waitUntilGone(pid)));
      assert.match(readFileSync(trace, "utf8"), /^# threadlens trace 1\nthread 1 main/);
      rmSync(dir, { recursive: true, force: true });
    },
  );
});

describe("the program's exit code", () => {
  const client = useClient();

  test("exit5 ends the session with exited 5, then terminated", TEST_TIMEOUT, async () => {
    const output = collectOutput(client);
    const order: string[] = [];
    client.on("exited", () => order.push("exited"));
    client.on("terminated", () => order.push("terminated"));
    const terminated = client.waitForEvent("terminated", EVENT_TIMEOUT_MS);
    const exited = client.waitForEvent("exited", EVENT_TIMEOUT_MS);
    await launch(client, { program: "test/fixtures/analysis/exit5.ts" });
    assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 5);
    await terminated;
    assert.deepEqual(order, ["exited", "terminated"]);
    assert.match(output.get("stdout") ?? "", /hello from the program/);
  });
});

describe("pause and continue", () => {
  const client = useClient();

  test(
    "threads stop at their next acquire, stay stopped, and finish after continue",
    TEST_TIMEOUT,
    async () => {
      const output = collectOutput(client);
      const file = "adapter/looping.ts";
      await launch(client, { program: `test/fixtures/${file}` });
      // Pause once every loop has done a round (each prints "<name> looping").
      const loops = ["looper-1", "looper-2", "async-looper"];
      const deadline = Date.now() + EVENT_TIMEOUT_MS;
      const looping = () =>
        loops.every((n) => (output.get("stdout") ?? "").includes(`${n} looping`));
      while (!looping() && Date.now() < deadline) await sleep(50);
      assert.ok(looping(), `not all loops started: ${output.get("stdout") ?? ""}`);
      const stopped = client.waitForEvent("stopped", EVENT_TIMEOUT_MS);
      await client.pauseRequest({ threadId: 1 });
      const stop = (await stopped) as DebugProtocol.StoppedEvent;
      assert.equal(stop.body.reason, "pause");
      assert.equal(stop.body.allThreadsStopped, true);
      const threads = await threadsByName(client);
      for (const name of ["main", "looper-1", "looper-2", "async-looper"]) {
        assert.ok(threads.has(name), `${name} in ${[...threads.keys()]}`);
      }
      // Each looping thread is parked at its acquire, in the TypeScript source.
      const acquireLines: Record<string, number> = {
        "looper-1": lineOf(file, "lock.acquireSync();"),
        "looper-2": lineOf(file, "lock.acquireSync();"),
        "async-looper": lineOf(file, "await lock.acquire();"),
      };
      for (const [name, line] of Object.entries(acquireLines)) {
        const frame = await topFrame(client, threads.get(name) ?? 0);
        assert.equal(frame.source?.path, fixture(file), name);
        assert.equal(frame.line, line, `${name} is parked at its acquire`);
      }
      // Paused means paused: nothing runs while it lasts (an observation window for an
      // absence, not a synchronization: unpaused, each loop prints and the program ends).
      let exitedEarly = false;
      client.once("exited", () => (exitedEarly = true));
      const outputBefore = output.get("stdout") ?? "";
      await sleep(1000);
      assert.equal(exitedEarly, false, "the program stays paused");
      assert.equal(output.get("stdout") ?? "", outputBefore, "no thread printed while paused");
      const exited = client.waitForEvent("exited", EVENT_TIMEOUT_MS);
      const terminated = client.waitForEvent("terminated", EVENT_TIMEOUT_MS);
      await client.continueRequest({ threadId: stop.body.threadId ?? 1 });
      assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 0);
      await terminated;
      assert.match(output.get("stdout") ?? "", /looping done: 4500 rounds/);
    },
  );
});

describe("stopOnPotentialDeadlock", () => {
  const client = useClient();

  test(
    "S11's lock-order inversion stops after the end, at the inversion; continue ends it",
    TEST_TIMEOUT,
    async () => {
      const file = "analysis/s11-inversion.ts";
      const stopped = client.waitForEvent("stopped", EVENT_TIMEOUT_MS);
      await launch(client, { program: `test/fixtures/${file}`, stopOnPotentialDeadlock: true });
      const stop = (await stopped) as DebugProtocol.StoppedEvent;
      assert.equal(stop.body.reason, "deadlock");
      assert.match(stop.body.description ?? "", /^Potential deadlock .*lock-order inversion/);
      const threads = await threadsByName(client);
      assert.deepEqual([...threads.keys()].sort(), ["first", "second"]);
      const first = await topFrame(client, threads.get("first") ?? 0);
      assert.equal(first.source?.path, fixture(file));
      assert.equal(first.line, lineOf(file, "lockB.acquireSync();", 1));
      const exited = client.waitForEvent("exited", EVENT_TIMEOUT_MS);
      const terminated = client.waitForEvent("terminated", EVENT_TIMEOUT_MS);
      await client.continueRequest({ threadId: stop.body.threadId ?? 0 });
      assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 0);
      await terminated;
    },
  );
});
