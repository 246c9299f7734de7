// RWLock contract (DESIGN 3): readers share it, a writer excludes everyone, writer-preferring,
// timeouts, errors, and the same lock in a worker thread.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ArgumentError, Event, LockStateError, RWLock, Thread, spawn } from "threadlens";
import { until, workerUrl } from "./helpers.ts";

describe("RWLock contract", () => {
  test("readers share it; a writer waits until the last reader leaves", async () => {
    const rw = new RWLock("table");
    assert.equal(await rw.acquireRead(), true);
    assert.equal(rw.acquireReadSync(), true);
    assert.equal(rw.readers, 2);
    assert.equal(await rw.acquireWrite({ timeout: 0 }), false);
    assert.equal(rw.acquireWriteSync({ timeout: 0 }), false);
    rw.releaseRead();
    assert.equal(await rw.acquireWrite({ timeout: 0 }), false);
    rw.releaseRead();
    assert.equal(rw.acquireWriteSync({ timeout: 0 }), true);
    assert.equal(rw.writeLocked, true);
    rw.releaseWrite();
    assert.equal(rw.writeLocked, false);
  });

  test("a writer excludes readers and writers; its release lets them in", async () => {
    const rw = new RWLock();
    assert.equal(await rw.acquireWrite(), true);
    assert.equal(await rw.acquireRead({ timeout: 0 }), false);
    assert.equal(rw.acquireReadSync({ timeout: 0 }), false);
    const reader = spawn(async () => {
      const ok = await rw.acquireRead();
      rw.releaseRead();
      return ok;
    });
    rw.releaseWrite();
    assert.equal(await reader.join(), true);
    assert.equal(rw.readers, 0);
  });

  test("writer-preferring: a waiting writer stops new readers, and gets it first", async () => {
    const rw = new RWLock();
    const order: string[] = [];
    await rw.acquireRead();
    const writer = spawn(async () => {
      await rw.acquireWrite();
      order.push("writer");
      rw.releaseWrite();
    });
    await until(() => rw.waitingWriters === 1);
    assert.equal(await rw.acquireRead({ timeout: 0 }), false);
    const reader = spawn(async () => {
      await rw.acquireRead();
      order.push("reader");
      rw.releaseRead();
    });
    rw.releaseRead();
    await Promise.all([writer.join(), reader.join()]);
    assert.deepEqual(order, ["writer", "reader"]);
    assert.equal(rw.waitingWriters, 0);
  });

  test("a writer that times out lets the readers it held back in", async () => {
    const rw = new RWLock();
    await rw.acquireRead();
    const writer = spawn(() => rw.acquireWrite({ timeout: 30 }));
    const reader = spawn(async () => {
      // The writer begins its wait within a few microtask hops of its spawn, and the reader
      // queues behind it in a few more: no timer runs meanwhile, so the writer's 30 ms timeout
      // cannot end its wait first (polling on timers raced it: on a loaded machine a poll
      // came after the timeout, and the reader never saw the writer waiting).
      for (let hops = 0; rw.waitingWriters !== 1; hops++) {
        assert.ok(hops < 100, "the writer began its wait");
        await undefined;
      }
      const ok = await rw.acquireRead();
      rw.releaseRead();
      return ok;
    });
    assert.equal(await writer.join(), false);
    assert.equal(await reader.join(), true);
    rw.releaseRead();
    assert.equal(rw.readers, 0);
  });

  test("guards release however the block ends", async () => {
    const rw = new RWLock();
    {
      using _read = await rw.readLock();
      assert.equal(rw.readers, 1);
    }
    {
      using _write = await rw.writeLock();
      assert.equal(rw.writeLocked, true);
    }
    assert.equal(rw.readers, 0);
    assert.equal(rw.writeLocked, false);
  });

  test("releasing what the caller does not hold is a LockStateError; bad timeouts an ArgumentError", async () => {
    const rw = new RWLock("table");
    assert.throws(() => rw.releaseRead(), LockStateError);
    assert.throws(() => rw.releaseWrite(), LockStateError);
    await rw.acquireWrite();
    const other = spawn(() => {
      assert.throws(() => rw.releaseWrite(), LockStateError);
      assert.throws(() => rw.releaseRead(), LockStateError);
    });
    await other.join();
    assert.equal(rw.writeLocked, true);
    rw.releaseWrite();
    await assert.rejects(rw.acquireRead({ timeout: -1 }), ArgumentError);
    assert.throws(() => rw.acquireWriteSync({ timeout: Number.NaN }), ArgumentError);
  });

  test("the same lock in a worker thread: its Sync write hold excludes main's readers", async () => {
    const rw = new RWLock("shared");
    const [ready, go] = [new Event(), new Event()];
    const worker = new Thread(workerUrl("rwHold"), { args: [rw, ready, go] }).start();
    assert.equal(await ready.wait({ timeout: 30_000 }), true);
    assert.equal(rw.writeLocked, true);
    assert.equal(await rw.acquireRead({ timeout: 0 }), false);
    go.set();
    assert.equal(await rw.acquireRead(), true);
    rw.releaseRead();
    await worker.join();
    assert.equal(worker.exitCode, 0);
  });
});
