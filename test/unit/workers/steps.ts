// Steps that contract tests run inside real worker threads (workers/run.ts dispatches here).
import type { Barrier, Condition, Connection, Event, Lock, Queue, Semaphore } from "threadlens";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- steps take what the test passes
type Step = (...args: any[]) => unknown;

export const steps: Record<string, Step> = {
  /** Waits on `event` (sync or async) and reports what wait returned into cell[0]. */
  async eventWait(mode: "sync" | "async", event: Event, result: Int32Array, timeout?: number) {
    const options = timeout === undefined ? undefined : { timeout };
    const ok = mode === "sync" ? event.waitSync(options) : await event.wait(options);
    Atomics.store(result, 0, ok ? 1 : 2);
  },
  /** Puts `count` numbers `base + i` into `queue`. */
  async produce(mode: "sync" | "async", queue: Queue<number>, base: number, count: number) {
    for (let i = 0; i < count; i++) {
      if (mode === "sync") queue.putSync(base + i);
      else await queue.put(base + i);
    }
  },
  /** Takes an item holding a Lock from `queue`, takes the lock and puts the item back. */
  async lockFromItem(queue: Queue<{ lock: Lock }>, back: Queue<{ lock: Lock }>) {
    const item = await queue.get();
    await item.lock.acquire();
    await back.put(item);
  },
  /** Takes `count` items from `queue`, adds them into sum[0], marks each done. */
  async consume(mode: "sync" | "async", queue: Queue<number>, sum: Int32Array, count: number) {
    for (let i = 0; i < count; i++) {
      const item = mode === "sync" ? queue.getSync() : await queue.get();
      Atomics.add(sum, 0, item);
      queue.taskDone();
    }
  },
  /** Holds one unit of `sem` `rounds` times, tracking the most simultaneous holders in stats[1]. */
  async semaphoreHolder(mode: "sync" | "async", sem: Semaphore, stats: Int32Array, rounds: number) {
    for (let i = 0; i < rounds; i++) {
      if (mode === "sync") sem.acquireSync();
      else await sem.acquire();
      const now = Atomics.add(stats, 0, 1) + 1;
      for (;;) {
        const max = Atomics.load(stats, 1);
        if (now <= max || Atomics.compareExchange(stats, 1, max, now) === max) break;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
      Atomics.sub(stats, 0, 1);
      sem.release();
    }
  },
  /** Waits on `barrier` and stores its arrival index (or -1 when broken) in out[slot]. */
  async barrierWait(
    mode: "sync" | "async",
    barrier: Barrier,
    out: Int32Array,
    slot: number,
    timeout?: number,
  ) {
    const options = timeout === undefined ? undefined : { timeout };
    try {
      out[slot] = mode === "sync" ? barrier.waitSync(options) : await barrier.wait(options);
    } catch (error) {
      out[slot] = (error as Error).name === "BrokenBarrierError" ? -1 : -2;
    }
  },
  /** Condition consumer: waits until cell[0] > 0 under `cond`, takes one, counts it in cell[1]. */
  async conditionTake(mode: "sync" | "async", cond: Condition, cell: Int32Array, count: number) {
    for (let i = 0; i < count; i++) {
      if (mode === "sync") {
        cond.acquireSync();
        cond.waitForSync(() => (cell[0] ?? 0) > 0);
      } else {
        await cond.acquire();
        await cond.waitFor(() => (cell[0] ?? 0) > 0);
      }
      cell[0] = (cell[0] ?? 0) - 1;
      cell[1] = (cell[1] ?? 0) + 1;
      cond.release();
    }
  },
  /** Echoes every message on `conn` back doubled until it sees -1, then closes its end. */
  async echo(conn: Connection<number>) {
    for (;;) {
      const value = await conn.recv();
      if (value === -1) break;
      conn.send(value * 2);
    }
    conn.close();
  },
};
