// Contract suite for Lock and RLock, run against both implementations and both modes (async
// acquire in the event loop, acquireSync blocking a worker), with real worker threads.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  ArgumentError,
  Event,
  Lock,
  LockStateError,
  RLock,
  Thread,
  spawn,
  withLock,
  type AnyLock,
} from "threadlens";
import { MODES, joinAll, sharedInts, workerUrl } from "./helpers.ts";

const IMPLEMENTATIONS: { kind: string; make: (name?: string) => AnyLock }[] = [
  { kind: "Lock", make: (name) => new Lock(name) },
  { kind: "RLock", make: (name) => new RLock(name) },
];

for (const { kind, make } of IMPLEMENTATIONS) {
  describe(`${kind} contract`, () => {
    for (const mode of MODES) {
      test(`${mode}: 4 workers × 10,000 increments under the lock end at exactly 40,000`, async () => {
        const lock = make("counter");
        const counter = sharedInts(1);
        const threads = [0, 1, 2, 3].map((i) =>
          new Thread(workerUrl("lockCounter"), {
            name: `inc-${i}`,
            args: [mode, lock, counter, 10_000],
          }).start(),
        );
        await joinAll(threads);
        assert.equal(counter[0], 40_000);
        assert.equal(lock.locked, false);
      });
    }

    test("async tasks in one thread exclude each other across awaits", async () => {
      const lock = make();
      let counter = 0;
      const tasks = Array.from({ length: 8 }, (_, i) =>
        spawn(
          async () => {
            for (let k = 0; k < 200; k++) {
              await lock.acquire();
              const v = counter;
              // Lets every other task run before the write (a turn of the event loop; a
              // timer's would cost a millisecond each, 1,600 times).
              await new Promise((resolve) => setImmediate(resolve));
              counter = v + 1;
              lock.release();
            }
          },
          { name: `t${i}` },
        ),
      );
      await Promise.all(tasks.map((t) => t.join()));
      assert.equal(counter, 1600);
    });

    test("acquire with timeout resolves false while another thread holds it; acquireSync too", async () => {
      const lock = make();
      const ready = new Event();
      const go = new Event();
      const holder = new Thread(workerUrl("holdLock"), { args: [lock, ready, go] }).start();
      assert.equal(await ready.wait({ timeout: 60_000 }), true);
      const t0 = performance.now();
      assert.equal(await lock.acquire({ timeout: 60 }), false);
      assert.ok(performance.now() - t0 >= 55, "waited for the timeout");
      assert.equal(lock.acquireSync({ timeout: 30 }), false);
      assert.equal(lock.tryAcquire(), false);
      assert.equal(lock.locked, true);
      go.set();
      assert.equal(await lock.acquire({ timeout: 60_000 }), true);
      lock.release();
      await joinAll([holder]);
    });

    test("a waiter gets the lock when the holder in another thread releases it", async () => {
      const lock = make();
      const ready = new Event();
      const go = new Event();
      const holder = new Thread(workerUrl("holdLock"), { args: [lock, ready, go] }).start();
      await ready.wait();
      // The acquisition waits from the call on (the holder has the lock until `go`).
      const acquired = lock.acquire();
      go.set();
      assert.equal(await acquired, true);
      lock.release();
      await joinAll([holder]);
    });

    test("release of an unheld lock throws LockStateError", () => {
      const lock = make("idle");
      assert.throws(() => lock.release(), LockStateError);
      assert.throws(() => lock.release(), /idle/);
    });

    test("a bad timeout is an ArgumentError saying what is wrong", async () => {
      const lock = make();
      await assert.rejects(lock.acquire({ timeout: -1 }), (e: unknown) => {
        assert.ok(e instanceof ArgumentError);
        assert.match(
          (e as Error).message,
          /timeout must be a non-negative number of milliseconds, got -1/,
        );
        return true;
      });
      assert.throws(() => lock.acquireSync({ timeout: Number.NaN }), ArgumentError);
      assert.throws(
        () => make(42 as unknown as string),
        /new \w*Lock\(\): expected a name or an options object, got 42/,
      );
    });

    test("the guard of lock() releases at the end of a using block", async () => {
      const lock = make();
      {
        using _guard = await lock.lock();
        assert.equal(lock.locked, true);
      }
      assert.equal(lock.locked, false);
    });

    test("withLock and run release when the callback throws", async () => {
      const lock = make();
      await assert.rejects(
        withLock(lock, async () => {
          throw new Error("boom");
        }),
        /boom/,
      );
      assert.equal(lock.locked, false);
      assert.equal(await lock.run(() => 7), 7);
      assert.equal(lock.locked, false);
    });
  });
}

describe("Lock specifics", () => {
  test("a Lock held by one logical thread can be released by another (Python's Lock)", async () => {
    const lock = new Lock();
    await lock.acquire();
    await spawn(() => lock.release()).join();
    assert.equal(lock.locked, false);
  });

  test("names come from the creation site", () => {
    const lockA = new Lock();
    class Account {
      readonly balanceLock = new RLock();
      readonly other: Lock;
      constructor() {
        this.other = new Lock();
      }
    }
    const account = new Account();
    assert.equal(lockA.name, "lockA");
    assert.equal(account.balanceLock.name, "this.balanceLock");
    assert.equal(account.other.name, "this.other");
    assert.match([new Lock()][0]?.name ?? "", /^Lock@lock\.test\.ts:\d+$/);
    assert.equal(new Lock("given").name, "given");
  });
});

describe("RLock specifics", () => {
  test("the holder re-enters; it is free after as many releases", async () => {
    const lock = new RLock();
    assert.equal(await lock.acquire(), true);
    assert.equal(await lock.acquire(), true);
    assert.equal(lock.acquireSync(), true);
    assert.equal(lock.depth, 3);
    lock.release();
    lock.release();
    assert.equal(lock.locked, true);
    lock.release();
    assert.equal(lock.locked, false);
  });

  test("a spawned child task is not the owner: it waits, and may not release", async () => {
    const lock = new RLock();
    await lock.acquire();
    const child = spawn(async () => {
      assert.equal(lock.tryAcquire(), false);
      assert.throws(() => lock.release(), LockStateError);
      return lock.acquire({ timeout: 30 });
    });
    assert.equal(await child.join(), false);
    lock.release();
    assert.equal(lock.locked, false);
  });

  test("release by another thread's logical thread throws", async () => {
    const lock = new RLock();
    const task = spawn(async () => {
      await lock.acquire();
    });
    await task.join();
    assert.throws(() => lock.release(), /cannot release un-acquired lock/);
  });
});
