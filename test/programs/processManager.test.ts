// Manager (DESIGN 3.3): a dict and a list used by main, its thread, a child process and the
// child's thread, through the real CLI; correct, so no finding.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliRun } from "./cliJson.ts";

test("Manager: a dict and a list shared by threads and processes, then shut down", () => {
  const r = cliRun(["run", "test/fixtures/processes/managerDict.ts"], { killSignal: "SIGKILL" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.split("\n"), [
    "seen: child=5 child/thread=12 main=4 main/thread=11",
    "log: main was here, main/thread was here, child was here, child/thread was here",
    "has main true, get child 5",
    "delete main true, keys main/thread,child,child/thread",
    "size 3, delete again false",
    "log[0] first, length 4",
    "after shutdown: ThreadStateError",
    "",
  ]);
  assert.equal(r.stderr, "threadlens: no findings\n");
});
