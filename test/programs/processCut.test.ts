// A child process that dies without exiting (SIGKILL here) cannot say it is done: the run's
// report and trace say that its recording was cut short by its death (DESIGN 3.3, issue 15),
// and name it. A child that exits says nothing of the kind (processMessages.test.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { cliRun } from "./cliJson.ts";
import { ended, printedPid } from "./processLife.ts";

test("a child killed by SIGKILL: the report and the trace say its recording was cut by its death", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-cut-"));
  try {
    const trace = path.join(dir, "run.tltrace");
    const r = cliRun(["run", "test/fixtures/processes/sharedKilledHolder.ts", "--trace", trace], {
      killSignal: "SIGKILL",
    });
    assert.equal(r.status, 2, r.stderr);
    const holder = printedPid(r.stderr, "started holder");
    const said = r.stderr.split("\n").filter((line) => line.includes("died without exiting"));
    assert.deepEqual(said, [
      `threadlens: process holder (pid ${holder}) died without exiting (a signal or a crash): ` +
        "its recording ends with its recorder's last drain, up to 5 ms before its death",
    ]);
    const lines = readFileSync(trace, "utf8").trimEnd().split("\n");
    assert.deepEqual(lines.slice(-2), [
      `# cut: process holder (pid ${holder}) died without exiting`,
      "# end: the program is stopped (hang)",
    ]);
    await ended(holder);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
