// async-mutex as its README shows it: runExclusive, a Semaphore bounding concurrency,
// tryAcquire, withTimeout and waitForUnlock.
import { test } from "node:test";
import assert from "node:assert/strict";
import { E_ALREADY_LOCKED, Mutex, Semaphore, tryAcquire, withTimeout } from "async-mutex";

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("runExclusive serialises read-modify-write across awaits", async () => {
  const mutex = new Mutex();
  let balance = 0;
  await Promise.all(
    Array.from({ length: 20 }, () =>
      mutex.runExclusive(async () => {
        const seen = balance;
        await tick();
        balance = seen + 1;
      }),
    ),
  );
  assert.equal(balance, 20);
});

test("a Semaphore(3) never lets more than 3 in", async () => {
  const semaphore = new Semaphore(3);
  let inside = 0;
  let most = 0;
  await Promise.all(
    Array.from({ length: 12 }, () =>
      semaphore.runExclusive(async () => {
        most = Math.max(most, ++inside);
        await tick();
        inside--;
      }),
    ),
  );
  assert.equal(most, 3);
});

test("tryAcquire fails at once on a locked mutex", async () => {
  const mutex = new Mutex();
  const release = await mutex.acquire();
  await assert.rejects(tryAcquire(mutex).acquire(), (e) => e === E_ALREADY_LOCKED);
  release();
  const again = await tryAcquire(mutex).acquire();
  again();
});

test("withTimeout and waitForUnlock", async () => {
  const mutex = withTimeout(new Mutex(), 5_000);
  const release = await mutex.acquire();
  const unlocked = mutex.waitForUnlock();
  release();
  await unlocked;
  assert.equal(mutex.isLocked(), false);
});
