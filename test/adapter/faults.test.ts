// Faults of threadlens' own under the debug adapter (issue 12): a killed adapter takes the
// program's whole process tree with it; a trace path that cannot be written is an error
// response, before anything runs.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { processGone, launch, useClient, waitForOutput, waitUntilGone } from "./helpers.ts";

const TEST_TIMEOUT = { timeout: 180_000 };

describe("a killed adapter", () => {
  let adapterKilled = false;
  const client = useClient(() => !adapterKilled);

  test("ends the program and the process it started", TEST_TIMEOUT, async () => {
    const output = waitForOutput(client, /pids \d+ \d+/);
    await launch(client, { program: "test/fixtures/faults/runs-forever.ts" });
    const [, program, child] = /pids (\d+) (\d+)/.exec(await output) ?? [];
    const pids = [Number(program), Number(child)];
    try {
      assert.ok(
        pids.every((pid) => pid > 0 && !processGone(pid)),
        "both run before the kill",
      );
      const adapter = (client as unknown as { _adapterProcess: ChildProcess | null })
        ._adapterProcess;
      adapterKilled = true;
      adapter?.kill("SIGKILL");
      for (const pid of pids) assert.ok(await waitUntilGone(pid, 30_000), `${pid} outlived it`);
    } finally {
      for (const pid of pids) if (pid > 0 && !processGone(pid)) process.kill(pid, "SIGKILL");
    }
  });
});

describe("a trace that cannot be written", () => {
  const client = useClient();

  test("is an error response that says why", TEST_TIMEOUT, async () => {
    await client.initializeRequest();
    await assert.rejects(
      client.launch({
        program: "test/fixtures/faults/nested-clean.ts",
        trace: "/missing/dir/x.tltrace",
      }),
      /cannot write \/missing\/dir\/x\.tltrace: no folder \/missing\/dir/,
    );
  });
});
