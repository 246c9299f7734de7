// The launch attribute `schedule` (DESIGN 6, 8.1): the token `threadlens explore` printed for
// an async two-task inversion replays the deadlock under the debugger (the session stops with
// reason deadlock, both tasks in the Call Stack at their blocking acquires); a damaged token
// is a launch error that says so; a token made for other code is said not to fit, and the
// program runs unscheduled to its end.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { before, describe, test } from "node:test";
import type { DebugProtocol } from "@vscode/debugprotocol";
import type { Report } from "../../src/protocol/report.ts";
import {
  EVENT_TIMEOUT_MS,
  fixture,
  launch,
  lineOf,
  root,
  threadsByName,
  topFrame,
  useClient,
  waitForOutput,
  waitUntilGone,
} from "./helpers.ts";

const TEST_TIMEOUT = { timeout: 120_000 };
const program = "test/fixtures/schedules/async-inversion.ts";
const file = "schedules/async-inversion.ts";

/** The schedule of the run `threadlens explore` found deadlocking. */
function exploredSchedule(): string {
  const env = { ...process.env };
  delete env["NODE_TEST_CONTEXT"];
  delete env["NODE_OPTIONS"];
  const r = spawnSync(
    process.execPath,
    [path.join(root, "dist/cli.js"), "explore", program, "--json"],
    { cwd: root, env, encoding: "utf8", timeout: 300_000 },
  );
  assert.equal(r.status, 2, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  assert.equal(report.findings[0]?.kind, "deadlock");
  return report.schedule ?? "";
}

let schedule = "";
before(() => {
  schedule = exploredSchedule();
});

describe("launch with an explored schedule", () => {
  const client = useClient();

  test(
    "stops with reason deadlock, first and second in the Call Stack at their acquires",
    TEST_TIMEOUT,
    async () => {
      assert.match(schedule, /^tl1\./);
      const stopped = client.waitForEvent("stopped", EVENT_TIMEOUT_MS);
      const { pid } = await launch(client, { program, schedule });
      const stop = (await stopped) as DebugProtocol.StoppedEvent;
      assert.equal(stop.body.reason, "deadlock");
      assert.equal(stop.body.allThreadsStopped, true);
      assert.match(stop.body.text ?? "", /ERROR: threadlens: deadlock/);
      const threads = await threadsByName(client);
      assert.deepEqual([...threads.keys()].sort(), ["first", "main", "second"]);
      const expected = new Map([
        ["first", lineOf(file, "await lockB.acquire();", 1)],
        ["second", lineOf(file, "await lockA.acquire();", 2)],
      ]);
      for (const [name, line] of expected) {
        const frame = await topFrame(client, threads.get(name) ?? 0);
        assert.equal(frame.source?.path, fixture(file), name);
        assert.equal(frame.line, line, name);
      }
      assert.ok(pid !== undefined);
      const terminated = client.waitForEvent("terminated", EVENT_TIMEOUT_MS);
      await client.terminateRequest();
      await terminated;
      assert.ok(await waitUntilGone(pid), `program ${pid} is gone after terminate`);
    },
  );
});

describe("launch with a damaged schedule", () => {
  const client = useClient();

  test("is a launch error that says what is wrong with the token", TEST_TIMEOUT, async () => {
    await assert.rejects(
      Promise.all([
        client.configurationSequence(),
        client.launch({ cwd: root, program, schedule: "not-a-token" }),
      ]),
      /launch attribute "schedule": not a threadlens schedule token \(expected "tl1\.\.\.\."\)/,
    );
  });
});

describe("launch with a schedule made for another version of the program", () => {
  const client = useClient();

  test(
    "says it does not fit and runs the program unscheduled to its end",
    TEST_TIMEOUT,
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "threadlens-adapter-edited-"));
      try {
        const edited = path.join(dir, "async-inversion.ts");
        copyFileSync(fixture(file), edited);
        writeFileSync(edited, `${readFileSync(edited, "utf8")}\n// edited\n`);
        const warning = waitForOutput(client, /the schedule does not fit async-inversion\.ts/);
        const done = waitForOutput(client, /^done/);
        const terminated = client.waitForEvent("terminated", EVENT_TIMEOUT_MS);
        await launch(client, { program: edited, schedule });
        assert.match(await warning, /running it unscheduled/);
        await done;
        await terminated;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
