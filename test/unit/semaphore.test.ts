// Contract suite for Semaphore, BoundedSemaphore and Event, in both modes.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  ArgumentError,
  BoundedSemaphore,
  Event,
  OverReleaseError,
  Semaphore,
  spawn,
} from "threadlens";
import { MODES, joinAll, sharedInts, startStep, until, waitsBegun } from "./helpers.ts";

describe("Semaphore contract", () => {
  for (const mode of MODES) {
    test(`${mode}: 6 workers on Semaphore(2) never exceed 2 holders`, async () => {
      const sem = new Semaphore(2);
      const stats = sharedInts(2); // [holders now, most holders]
      const workers = Array.from({ length: 6 }, () =>
        startStep("semaphoreHolder", mode, sem, stats, 10),
      );
      await joinAll(workers);
      assert.equal(stats[0], 0);
      assert.ok((stats[1] ?? 0) <= 2 && (stats[1] ?? 0) >= 1, `max holders ${stats[1]}`);
      assert.equal(sem.value, 2);
    });
  }

  test("acquire times out at zero; release wakes a waiter", async () => {
    const sem = new Semaphore(1);
    assert.equal(await sem.acquire(), true);
    assert.equal(sem.tryAcquire(), false);
    assert.equal(await sem.acquire({ timeout: 20 }), false);
    assert.equal(sem.acquireSync({ timeout: 10 }), false);
    const begun = waitsBegun(sem.cond); // the timed-out waits above took theirs
    const waiter = spawn(() => sem.acquire({ timeout: 60_000 }));
    await until(() => waitsBegun(sem.cond) === begun + 1);
    assert.equal(waiter.isAlive(), true);
    sem.release();
    assert.equal(await waiter.join(), true);
    assert.equal(sem.value, 0);
  });

  test("BoundedSemaphore released above its initial value throws OverReleaseError", async () => {
    const sem = new BoundedSemaphore(2, "pool");
    await sem.acquire();
    sem.release();
    assert.throws(
      () => sem.release(),
      (e: unknown) => e instanceof OverReleaseError && /pool/.test((e as Error).message),
    );
    assert.equal(sem.value, 2);
    const plain = new Semaphore(1);
    plain.release();
    assert.equal(plain.value, 2);
  });

  test("bad values are ArgumentErrors", () => {
    assert.throws(
      () => new Semaphore(-1),
      /new Semaphore\(\): value must be an integer >= 0, got -1/,
    );
    assert.throws(() => new BoundedSemaphore(1.5), ArgumentError);
    assert.throws(() => new Semaphore(1).release(0), /n must be an integer >= 1/);
  });
});

describe("Event contract", () => {
  for (const mode of MODES) {
    test(`${mode}: workers waiting on an event go on when main sets it`, async () => {
      const event = new Event();
      const results = [sharedInts(1), sharedInts(1), sharedInts(1)];
      const workers = results.map((r) => startStep("eventWait", mode, event, r));
      await until(() => waitsBegun(event.cond) === 3);
      assert.deepEqual(
        results.map((r) => r[0]),
        [0, 0, 0],
      );
      event.set();
      await joinAll(workers);
      assert.deepEqual(
        results.map((r) => r[0]),
        [1, 1, 1],
      );
    });

    test(`${mode}: wait with a timeout resolves false when nobody sets it`, async () => {
      const event = new Event();
      const result = sharedInts(1);
      await joinAll([startStep("eventWait", mode, event, result, 30)]);
      assert.equal(result[0], 2);
    });
  }

  test("set, clear, set again", async () => {
    const event = new Event();
    assert.equal(event.isSet(), false);
    event.set();
    assert.equal(await event.wait(), true);
    event.clear();
    assert.equal(event.isSet(), false);
    assert.equal(event.waitSync({ timeout: 5 }), false);
    const waiter = spawn(() => event.wait());
    event.set();
    assert.equal(await waiter.join(), true);
  });
});
