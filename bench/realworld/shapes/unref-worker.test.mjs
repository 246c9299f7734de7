// Issue 11's shape: a worker that the program unref'd on purpose (an idle helper waiting for
// messages) is left to end with the process. Correct: plain node exits 0.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import { once } from "node:events";

test("an unref'd idle worker ends with the process", async () => {
  const worker = new Worker(
    `const { parentPort } = require("node:worker_threads");
     parentPort.on("message", (n) => parentPort.postMessage(n + 1));`,
    { eval: true },
  );
  worker.postMessage(41);
  const [answer] = await once(worker, "message");
  assert.equal(answer, 42);
  worker.unref();
});
