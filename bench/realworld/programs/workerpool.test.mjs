// workerpool as its README shows it: offloading a function to a pool, a dedicated worker script
// called through a proxy, and terminate().
import { test } from "node:test";
import assert from "node:assert/strict";
import workerpool from "workerpool";

const script = new URL("./workerpool-worker.cjs", import.meta.url).pathname;

test("offloads inline functions to a pool of 2", async () => {
  const pool = workerpool.pool({ maxWorkers: 2 });
  const squares = await Promise.all([1, 2, 3, 4, 5].map((n) => pool.exec((x) => x * x, [n])));
  assert.deepEqual(squares, [1, 4, 9, 16, 25]);
  await pool.terminate();
});

test("calls a dedicated worker script through a proxy", async () => {
  const pool = workerpool.pool(script, { maxWorkers: 2 });
  const worker = await pool.proxy();
  assert.deepEqual(await Promise.all([worker.fibonacci(10), worker.fibonacci(20)]), [55, 6765]);
  assert.equal(pool.stats().totalWorkers <= 2, true);
  await pool.terminate();
});

test("rejects with the worker's error", async () => {
  const pool = workerpool.pool(script, { maxWorkers: 1 });
  await assert.rejects(pool.exec("fail", ["boom"]), /boom/);
  await pool.terminate();
});
