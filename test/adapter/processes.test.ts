// The adapter on a run of several processes (DESIGN 3.3, issue 15): on a deadlock between two
// processes the Call Stack lists both processes' threads, each stopped with its own reason and
// its TypeScript frames; a hang between a plain fork and its parent stops likewise; a pause
// stops every process's threads at their next synchronization point; terminating the session
// leaves no process behind.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DebugProtocol } from "@vscode/debugprotocol";
import {
  EVENT_TIMEOUT_MS,
  collectOutput,
  fixture,
  launch,
  lineOf,
  scopeVariables,
  useClient,
  waitForOutput,
  waitUntilGone,
} from "./helpers.ts";

const TEST_TIMEOUT = { timeout: 240_000 };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
const FILE = "processes/sharedDeadlock.ts";

describe("a lock-order deadlock between two processes", () => {
  const client = useClient();

  test(
    "stops on it with main and peer listed, each at its acquire with its frames; terminate ends both",
    TEST_TIMEOUT,
    async () => {
      const stops = new Map<number, DebugProtocol.StoppedEvent>();
      client.on("stopped", (e: DebugProtocol.StoppedEvent) => stops.set(e.body.threadId ?? 0, e));
      const peerStarted = waitForOutput(client, /started peer pid \d+/);
      const stopped = client.waitForEvent("stopped", EVENT_TIMEOUT_MS);
      const { pid } = await launch(client, { program: `test/fixtures/${FILE}` });
      const stop = (await stopped) as DebugProtocol.StoppedEvent;
      const peerPid = Number(/started peer pid (\d+)/.exec(await peerStarted)?.[1]);
      assert.ok(pid !== undefined && peerPid > 0);
      assert.equal(stop.body.reason, "deadlock");
      assert.equal(stop.body.allThreadsStopped, true);
      assert.match(stop.body.text ?? "", /main holds lockA and waits for lockB; peer holds lockB/);

      const threads = (await client.threadsRequest()).body.threads;
      assert.deepEqual(
        threads.map((t) => t.name),
        ["main", "peer"],
      );
      const wants = { main: "lockB", peer: "lockA" } as const;
      const holds = { main: "lockA", peer: "lockB" } as const;
      const caller = {
        main: lineOf(FILE, "await transfer(lockA, lockB"),
        peer: lineOf(FILE, "await transfer(held, wanted"),
      } as const;
      for (const t of threads) {
        const name = t.name as keyof typeof wants;
        assert.equal(stops.get(t.id)?.body.reason, "deadlock", name);
        assert.equal(stops.get(t.id)?.body.description, `deadlocked on ${wants[name]}`, name);
        const frames = (await client.stackTraceRequest({ threadId: t.id })).body.stackFrames;
        assert.deepEqual(
          frames.map((f) => [f.name, f.source?.path, f.line]),
          [
            ["transfer", fixture(FILE), lineOf(FILE, "await wanted.acquire()")],
            ["<anonymous>", fixture(FILE), caller[name]],
          ],
          name,
        );
        const variables = await scopeVariables(client, frames[0]?.id ?? 0);
        assert.deepEqual(
          variables.get("Holding")?.map((v) => v.name),
          [holds[name]],
        );
        const waiting = variables.get("Waiting for") ?? [];
        assert.deepEqual(
          waiting.map((v) => v.name),
          [wants[name]],
        );
        assert.match(
          waiting[0]?.value ?? "",
          new RegExp(`held by ${name === "main" ? "peer" : "main"}`),
        );
      }

      const terminated = client.waitForEvent("terminated", EVENT_TIMEOUT_MS);
      await client.terminateRequest();
      await terminated;
      assert.ok(await waitUntilGone(pid), `program ${pid} is gone after terminate`);
      assert.ok(await waitUntilGone(peerPid), `peer ${peerPid} is gone after terminate`);
    },
  );
});

describe("a plain fork and its parent waiting for each other's first message", () => {
  const client = useClient();

  test(
    "stops on the hang with both processes' threads at their waits; terminate ends both",
    TEST_TIMEOUT,
    async () => {
      const parent = "processes/messageDeadlock.ts";
      const child = "processes/messageDeadlockChild.ts";
      const forked = waitForOutput(client, /forked pid \d+/);
      const stopped = client.waitForEvent("stopped", EVENT_TIMEOUT_MS);
      const { pid } = await launch(client, { program: `test/fixtures/${parent}` });
      const stop = (await stopped) as DebugProtocol.StoppedEvent;
      const childPid = Number(/forked pid (\d+)/.exec(await forked)?.[1]);
      assert.ok(pid !== undefined && childPid > 0);
      assert.equal(stop.body.allThreadsStopped, true);
      assert.match(stop.body.text ?? "", /ERROR: threadlens: hang/);
      const threads = (await client.threadsRequest()).body.threads;
      assert.deepEqual(
        threads.map((t) => t.name),
        ["main", "messageDeadlockChild"],
      );
      const top = async (id: number | undefined): Promise<[string | undefined, number]> => {
        const frames = (await client.stackTraceRequest({ threadId: id ?? 0 })).body.stackFrames;
        return [frames[0]?.source?.path, frames[0]?.line ?? 0];
      };
      assert.deepEqual(await top(threads[0]?.id), [
        fixture(parent),
        lineOf(parent, 'await once(child, "exit")'),
      ]);
      assert.deepEqual(await top(threads[1]?.id), [
        fixture(child),
        lineOf(child, 'process.once("message"'),
      ]);
      const terminated = client.waitForEvent("terminated", EVENT_TIMEOUT_MS);
      await client.terminateRequest();
      await terminated;
      assert.ok(await waitUntilGone(pid), `program ${pid} is gone after terminate`);
      assert.ok(await waitUntilGone(childPid), `child ${childPid} is gone after terminate`);
    },
  );
});

describe("pause and continue with a child process", () => {
  const client = useClient();

  test(
    "both processes' threads stop at their next acquire, stay stopped, and finish after continue",
    TEST_TIMEOUT,
    async () => {
      const file = "processes/looping.ts";
      const output = collectOutput(client);
      const { pid } = await launch(client, { program: `test/fixtures/${file}` });
      const looping = (): boolean =>
        ["main", "looper"].every((n) => (output.get("stdout") ?? "").includes(`${n} looping`));
      const deadline = Date.now() + EVENT_TIMEOUT_MS;
      while (!looping() && Date.now() < deadline) await sleep(50);
      assert.ok(looping(), `not both loops started: ${output.get("stdout") ?? ""}`);
      const stopped = client.waitForEvent("stopped", EVENT_TIMEOUT_MS);
      await client.pauseRequest({ threadId: 1 });
      const stop = (await stopped) as DebugProtocol.StoppedEvent;
      assert.equal(stop.body.reason, "pause");
      assert.equal(stop.body.description, "Paused: every thread is at a synchronization point");
      const threads = (await client.threadsRequest()).body.threads;
      assert.deepEqual(
        threads.map((t) => t.name),
        ["main", "looper"],
      );
      for (const t of threads) {
        const frames = (await client.stackTraceRequest({ threadId: t.id })).body.stackFrames;
        assert.deepEqual(
          [frames[0]?.source?.path, frames[0]?.line],
          [fixture(file), lineOf(file, "await lock.acquire();")],
          `${t.name} is parked at its acquire`,
        );
      }
      // Paused means paused, in both processes (an observation window for an absence: once
      // continued, each loop prints its total and the program ends).
      const before = output.get("stdout") ?? "";
      await sleep(1000);
      assert.equal(output.get("stdout") ?? "", before, "no process printed while paused");
      const exited = client.waitForEvent("exited", EVENT_TIMEOUT_MS);
      await client.continueRequest({ threadId: stop.body.threadId ?? 1 });
      assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 0);
      const out = output.get("stdout") ?? "";
      assert.match(out, /main done: 1500 rounds/);
      assert.match(out, /looper done: 1500 rounds/);
      assert.ok(pid !== undefined && (await waitUntilGone(pid)));
    },
  );
});
