// tinypool as its README shows it: a worker file's default export run on a pool of threads,
// tasks queued beyond maxThreads, then destroy().
import { test } from "node:test";
import assert from "node:assert/strict";
import Tinypool from "tinypool";

const filename = new URL("./tinypool-worker.mjs", import.meta.url).href;

test("runs more tasks than threads", async () => {
  const pool = new Tinypool({ filename, minThreads: 1, maxThreads: 2 });
  const sums = await Promise.all(Array.from({ length: 8 }, (_, i) => pool.run({ a: i, b: 1 })));
  assert.deepEqual(sums, [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(pool.completed, 8);
  await pool.destroy();
});

test("runs a named export", async () => {
  const pool = new Tinypool({ filename, maxThreads: 1 });
  assert.equal(await pool.run(6, { name: "twice" }), 12);
  await pool.destroy();
});
