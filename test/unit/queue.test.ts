// Contract suite for Queue, LifoQueue, PriorityQueue and Barrier, in both modes.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  ArgumentError,
  Barrier,
  Lock,
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  TaskDoneError,
  spawn,
} from "threadlens";
import { MODES, joinAll, sharedInts, startStep, until, waitsBegun } from "./helpers.ts";

describe("Queue contract", () => {
  for (const mode of MODES) {
    test(`${mode}: 2 producer workers, 2 consumer workers, bounded queue: every item once`, async () => {
      const queue = new Queue<number>(8);
      const sum = sharedInts(1);
      const threads = [
        startStep("produce", mode, queue, 0, 500),
        startStep("produce", mode, queue, 1000, 500),
        startStep("consume", mode, queue, sum, 500),
        startStep("consume", mode, queue, sum, 500),
      ];
      await queue.join();
      await joinAll(threads);
      const expected = 2 * ((499 * 500) / 2) + 500 * 1000;
      assert.equal(sum[0], expected);
      assert.equal(queue.qsize(), 0);
      assert.equal(queue.unfinishedTasks, 0);
    });
  }

  test("FIFO, LIFO and priority orders", async () => {
    const fifo = new Queue<string>();
    const lifo = new LifoQueue<string>();
    for (const x of ["a", "b", "c"]) {
      await fifo.put(x);
      lifo.putNowait(x);
    }
    assert.deepEqual([await fifo.get(), fifo.getNowait(), fifo.getSync()], ["a", "b", "c"]);
    assert.deepEqual([await lifo.get(), lifo.getNowait(), lifo.getSync()], ["c", "b", "a"]);
    const prio = new PriorityQueue<[number, string]>();
    for (const item of [
      [3, "c"],
      [1, "a1"],
      [2, "b"],
      [1, "a2"],
    ] as [number, string][])
      prio.putNowait(item);
    const out: string[] = [];
    while (!prio.empty()) out.push(prio.getNowait()[1]);
    assert.deepEqual(out, ["a1", "a2", "b", "c"]);
    assert.throws(() => new PriorityQueue().putNowait("x"), ArgumentError);
  });

  test("full and empty: nowait and timeouts throw QueueFull / QueueEmpty", async () => {
    const q = new Queue<number>(1);
    q.putNowait(1);
    assert.equal(q.full(), true);
    assert.throws(() => q.putNowait(2), QueueFull);
    await assert.rejects(q.put(2, { timeout: 20 }), QueueFull);
    assert.equal(q.getNowait(), 1);
    assert.throws(() => q.getNowait(), QueueEmpty);
    await assert.rejects(q.get({ timeout: 20 }), QueueEmpty);
    assert.throws(() => q.getSync({ block: false }), QueueEmpty);
  });

  test("a blocked put goes on when a get makes room", async () => {
    const q = new Queue<number>(1);
    await q.put(1);
    const putter = spawn(() => q.put(2));
    await until(() => waitsBegun(q.notFull) === 1);
    assert.equal(putter.isAlive(), true);
    assert.equal(q.qsize(), 1);
    assert.equal(await q.get(), 1);
    await putter.join();
    assert.equal(await q.get(), 2);
  });

  test("join waits for taskDone of every item; extra taskDone throws", async () => {
    const q = new Queue<number>();
    await q.put(1);
    await q.put(2);
    let joined = false;
    const joiner = q.join().then(() => (joined = true));
    await q.get();
    q.taskDone();
    // The join waits, and one item is still unfinished.
    await until(() => waitsBegun(q.allTasksDone) >= 1);
    assert.equal(q.unfinishedTasks, 1);
    assert.equal(joined, false);
    await q.get();
    q.taskDone();
    await joiner;
    assert.equal(joined, true);
    assert.throws(() => q.taskDone(), TaskDoneError);
  });

  test("items of any structured-cloneable shape and size survive; storage grows and compacts", async () => {
    const q = new Queue<{ n: number; data: string; when: Date; set: Set<number> }>();
    const big = "x".repeat(50_000);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 200; i++)
        await q.put({ n: i, data: i % 50 === 0 ? big : "s", when: new Date(i), set: new Set([i]) });
      for (let i = 0; i < 200; i++) {
        const item = await q.get();
        assert.equal(item.n, i);
        assert.equal(item.data.length, i % 50 === 0 ? 50_000 : 1);
        assert.equal(item.when.getTime(), i);
        assert.ok(item.set.has(i));
      }
    }
    assert.throws(
      () => q.putNowait({ n: 0, data: "", when: new Date(), set: new Set(), f: () => 1 } as never),
      ArgumentError,
    );
  });

  test("shutdown: put fails, get drains then fails", async () => {
    const q = new Queue<number>();
    await q.put(1);
    q.shutdown();
    await assert.rejects(q.put(2), QueueShutDown);
    assert.equal(await q.get(), 1);
    await assert.rejects(q.get(), QueueShutDown);
  });

  test("bad maxsize is an ArgumentError", () => {
    assert.throws(() => new Queue(1.5), /new Queue\(\): maxsize must be an integer >= 0, got 1.5/);
    assert.throws(() => new LifoQueue(-1), ArgumentError);
  });
});

describe("Barrier contract", () => {
  for (const mode of MODES) {
    test(`${mode}: 3 workers pass together with distinct arrival indices, twice`, async () => {
      const barrier = new Barrier(3);
      for (let round = 0; round < 2; round++) {
        const out = sharedInts(3);
        await joinAll([0, 1, 2].map((slot) => startStep("barrierWait", mode, barrier, out, slot)));
        assert.deepEqual([...out].sort(), [0, 1, 2]);
      }
    });

    test(`${mode}: a timeout breaks the barrier for every waiter`, async () => {
      const barrier = new Barrier(3);
      const out = sharedInts(2);
      await joinAll([
        startStep("barrierWait", mode, barrier, out, 0, 50),
        startStep("barrierWait", mode, barrier, out, 1, 5000),
      ]);
      assert.deepEqual([...out], [-1, -1]);
      assert.equal(barrier.broken, true);
      barrier.reset();
      assert.equal(barrier.broken, false);
    });
  }

  test("a Lock inside a queue item is the same lock in every thread (not a copy)", async () => {
    const queue = new Queue<{ lock: Lock }>();
    const back = new Queue<{ lock: Lock }>();
    const lock = new Lock("inItem");
    await queue.put({ lock });
    const worker = startStep("lockFromItem", queue, back);
    const returned = await back.get();
    await joinAll([worker]);
    // The worker took the lock it got: this thread's lock is held, and comes back as itself.
    assert.equal(returned.lock, lock);
    assert.equal(lock.locked, true);
    assert.equal(lock.tryAcquire(), false);
  });

  test("bad parties is an ArgumentError", () => {
    assert.throws(() => new Barrier(0), /parties must be an integer >= 1, got 0/);
  });
});
