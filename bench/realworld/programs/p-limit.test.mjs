// p-limit as its README shows it: a limit over Promise.all, activeCount and pendingCount.
import { test } from "node:test";
import assert from "node:assert/strict";
import pLimit from "p-limit";

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("limits concurrency over Promise.all", async () => {
  const limit = pLimit(3);
  let most = 0;
  const results = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      limit(async () => {
        most = Math.max(most, limit.activeCount);
        await tick();
        return i;
      }),
    ),
  );
  assert.equal(most, 3);
  assert.deepEqual(
    results,
    Array.from({ length: 12 }, (_, i) => i),
  );
  assert.equal(limit.pendingCount, 0);
});
