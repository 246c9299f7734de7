// Contract suite for Condition, in both modes, with real worker threads.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { Condition, Lock, LockStateError, spawn } from "threadlens";
import { MODES, joinAll, sharedInts, sleep, startStep, until } from "./helpers.ts";

describe("Condition contract", () => {
  for (const mode of MODES) {
    test(`${mode}: 2 worker consumers take exactly what main produces`, async () => {
      const cond = new Condition(new Lock());
      const cell = sharedInts(2); // [available, taken]
      const consumers = [
        startStep("conditionTake", mode, cond, cell, 50),
        startStep("conditionTake", mode, cond, cell, 50),
      ];
      for (let i = 0; i < 100; i++) {
        await cond.acquire();
        cell[0] = (cell[0] ?? 0) + 1;
        cond.notify();
        cond.release();
        if (i % 10 === 0) await sleep(1);
      }
      await joinAll(consumers);
      assert.deepEqual([cell[0], cell[1]], [0, 100]);
    });
  }

  test("notify(n) wakes n waiters, in the order they started waiting", async () => {
    const cond = new Condition();
    const waiting: string[] = [];
    const woken: string[] = [];
    const waiter = (name: string) =>
      spawn(
        async () => {
          await cond.acquire();
          waiting.push(name);
          await cond.wait();
          woken.push(name);
          cond.release();
        },
        { name },
      );
    const tasks = [waiter("a"), waiter("b"), waiter("c")];
    // A waiter holds the lock from its push until its wait releases it: once all three have
    // pushed, main's acquire succeeds only when the last one waits.
    await until(() => waiting.length === 3);
    await cond.acquire();
    cond.notify(2);
    cond.release();
    await until(() => woken.length >= 2);
    await cond.acquire();
    assert.deepEqual(woken, waiting.slice(0, 2));
    cond.notifyAll();
    cond.release();
    await Promise.all(tasks.map((t) => t.join()));
    assert.deepEqual(woken, waiting);
  });

  test("wait with a timeout resolves false and holds the lock again; a timed-out waiter does not eat a notify", async () => {
    const cond = new Condition(new Lock());
    await cond.acquire();
    assert.equal(await cond.wait({ timeout: 20 }), false);
    assert.equal(cond.lock.locked, true);
    cond.release();
    // Waiter 1 (main) times out; then waiter 2 waits; one notify must reach waiter 2.
    await cond.acquire();
    assert.equal(await cond.wait({ timeout: 20 }), false);
    cond.release();
    let secondWaits = false;
    const second = spawn(async () => {
      await cond.acquire();
      secondWaits = true;
      const ok = await cond.wait({ timeout: 60_000 });
      cond.release();
      return ok;
    });
    // The second waiter holds the lock from setting the flag until its wait releases it.
    await until(() => secondWaits);
    await cond.acquire();
    cond.notify();
    cond.release();
    assert.equal(await second.join(), true);
  });

  test("more timed-out waiters pending than its list holds: a notify still reaches the live waiter", async () => {
    const cond = new Condition(new Lock());
    // 40 waits time out before any notify: more cancelled tickets than the condition's fixed
    // list keeps (it no longer grows: a growable buffer per Condition exhausted the mappings).
    for (let i = 0; i < 40; i++) {
      await cond.acquire();
      assert.equal(await cond.wait({ timeout: 1 }), false);
      cond.release();
    }
    let waits = false;
    const live = spawn(async () => {
      await cond.acquire();
      waits = true;
      const ok = await cond.wait({ timeout: 60_000 });
      cond.release();
      return ok;
    });
    await until(() => waits);
    await cond.acquire();
    cond.notify();
    cond.release();
    assert.equal(await live.join(), true);
    // The list is usable again after that notify: one timed-out waiter, then a notify for
    // nobody, wakes nobody and leaves no stale ticket behind.
    await cond.acquire();
    assert.equal(await cond.wait({ timeout: 1 }), false);
    cond.notify();
    cond.release();
  });

  test("sync waitFor returns the predicate's value; false after a timeout", () => {
    const cond = new Condition();
    cond.acquireSync();
    assert.equal(
      cond.waitForSync(() => 5),
      5,
    );
    assert.equal(
      cond.waitForSync(() => false, { timeout: 10 }),
      false,
    );
    cond.release();
  });

  test("wait and notify without holding the lock throw LockStateError", async () => {
    const cond = new Condition(new Lock());
    await assert.rejects(cond.wait(), LockStateError);
    assert.throws(() => cond.notify(), /cannot notify on un-acquired lock/);
    assert.throws(() => cond.waitSync(), LockStateError);
  });

  test("an RLock held twice is released fully while waiting and restored after", async () => {
    const cond = new Condition();
    await cond.acquire();
    await cond.acquire();
    const other = spawn(async () => {
      await cond.acquire();
      cond.notify();
      cond.release();
    });
    assert.equal(await cond.wait({ timeout: 60_000 }), true);
    await other.join();
    cond.release();
    assert.equal(cond.lock.locked, true);
    cond.release();
    assert.equal(cond.lock.locked, false);
  });
});
