// Threads, tasks, pools, pipes, and identity of primitives across threads.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import {
  ArgumentError,
  EOFError,
  BrokenPipeError,
  Event,
  Lock,
  Pipe,
  Pool,
  PoolTaskError,
  Queue,
  Thread,
  ThreadStateError,
  activeCount,
  currentThread,
  enumerate,
  spawn,
} from "threadlens";
import { joinAll, sleep, startStep, workerUrl } from "./helpers.ts";

describe("Thread", () => {
  test("join with a timeout resolves false while alive, then true; exit code and ident", async () => {
    // It runs until main sets `go`: a join with a timeout before that cannot see it end.
    const go = new Event();
    const t = new Thread(workerUrl("waitThenExit"), { name: "sleepy", args: [go, 3] });
    assert.equal(t.isAlive(), false);
    await assert.rejects(t.join(), ThreadStateError);
    t.start();
    assert.throws(() => t.start(), ThreadStateError);
    assert.equal(t.isAlive(), true);
    assert.equal(typeof t.ident, "number");
    assert.ok(enumerate().some((e) => e.name === "sleepy" && e.kind === "worker"));
    assert.equal(await t.join({ timeout: 20 }), false);
    assert.equal(t.isAlive(), true);
    go.set();
    assert.equal(await t.join(), true);
    assert.equal(t.isAlive(), false);
    assert.equal(t.exitCode, 3);
    assert.ok(!enumerate().some((e) => e.name === "sleepy"));
  });

  test("default names count up like Python's Thread-N; a module that does not exist is a clear error", () => {
    const a = new Thread(workerUrl("sleeper"));
    const b = new Thread(workerUrl("sleeper"));
    assert.match(a.name, /^Thread-\d+$/);
    assert.equal(Number(b.name.slice(7)), Number(a.name.slice(7)) + 1);
    assert.throws(
      () => new Thread("./no-such-module.ts"),
      (e: unknown) => {
        assert.ok(e instanceof ArgumentError);
        assert.match(
          (e as Error).message,
          /new Thread\(\): module not found: .*no-such-module\.ts/,
        );
        return true;
      },
    );
    assert.throws(
      () => new Thread(workerUrl("sleeper"), { args: 5 as never }),
      /args must be an array, got 5/,
    );
    assert.throws(() => new Thread(42 as never), /expected a module path or file URL, got 42/);
  });

  test("a relative module path is resolved from the file that creates the Thread", async () => {
    const t = new Thread("./workers/sleeper.ts", { args: [1, 0] }).start();
    assert.equal(await t.join(), true);
    assert.equal(t.exitCode, 0);
  });
});

describe("identity across threads", () => {
  test("a primitive posted to a plain worker is the same primitive there", async () => {
    const lock = new Lock("shared");
    const queue = new Queue<string>();
    const done = new Event();
    await lock.acquire();
    const worker = new Worker(workerUrl("identity"));
    // Listened for now: the worker exits right after its reply, before main's awaits below end.
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    const reply = new Promise<Record<string, unknown>>((resolve) =>
      worker.once("message", resolve),
    );
    worker.postMessage({ lock, again: lock, nested: { items: [queue] }, done });
    const seen = await reply;
    assert.deepEqual(seen, {
      isLock: true,
      id: lock.id,
      name: "shared",
      locked: true,
      sameObject: true,
      isQueue: true,
      // Under the preload a plain Worker is named by its parent from the module file.
      thread: "identity.ts",
      kind: "worker",
    });
    assert.equal(await done.wait({ timeout: 60_000 }), true);
    assert.equal(await queue.get(), "from worker");
    lock.release();
    assert.equal(await exited, 0);
  });
});

describe("spawn and logical threads", () => {
  test("a task is a named logical thread of its own; join resolves its result", async () => {
    const main = currentThread();
    assert.equal(main.name, "main");
    assert.equal(main.kind, "main");
    const task = spawn(
      async () => {
        await sleep(5);
        const me = currentThread();
        assert.ok(enumerate().some((e) => e.ident === me.ident && e.kind === "task"));
        return `${me.name}/${me.kind}/${me.ident !== main.ident}`;
      },
      { name: "fetcher" },
    );
    assert.equal(await task.join(), "fetcher/task/true");
    assert.equal(task.isAlive(), false);
    assert.ok(activeCount() >= 1);
  });

  test("a task's failure rejects join()", async () => {
    const task = spawn(async () => {
      throw new Error("task failed");
    });
    await assert.rejects(task.join(), /task failed/);
    assert.throws(() => spawn(5 as never), /spawn\(\): expected a function, got 5/);
  });
});

describe("Pool", () => {
  test("apply, map, applyAsync with callback; close and join", async () => {
    const pool = new Pool(workerUrl("poolTasks"), { size: 2 });
    assert.equal(await pool.apply("square", [7]), 49);
    assert.deepEqual(await pool.map("square", [1, 2, 3, 4, 5]), [1, 4, 9, 16, 25]);
    const seen: number[] = [];
    const result = pool.applyAsync<number>("slowAdd", [2, 3], (v) => seen.push(v));
    assert.equal(await result.get(), 5);
    assert.deepEqual(seen, [5]);
    assert.equal(result.successful(), true);
    await assert.rejects(
      pool.apply("fail", ["nope"]),
      (e: unknown) => e instanceof PoolTaskError && /nope/.test((e as Error).message),
    );
    // Named by the module's own path, also when its workers run it compiled ahead.
    await assert.rejects(
      pool.apply("missing"),
      /missing is not a function exported by \S*test\/unit\/workers\/poolTasks\.ts$/,
    );
    await assert.rejects(pool.join(), /Pool.join\(\) called before close\(\)/);
    pool.close();
    await assert.rejects(pool.apply("square", [1]), /the pool is closed/);
    await pool.join();
  });

  test("a failing applyAsync without errorCallback does not crash; a worker that dies mid-task is replaced", async () => {
    const pool = new Pool(workerUrl("poolTasks"), { size: 1 });
    const failed = pool.applyAsync("fail", ["quietly"]);
    await failed.wait();
    assert.equal(failed.successful(), false);
    await assert.rejects(pool.apply("quit", [3]), /ended before finishing quit\(\)/);
    assert.equal(await pool.apply("square", [3]), 9);
    pool.close();
    await pool.join();
  });

  test("bad input: size and module", () => {
    assert.throws(
      () => new Pool(workerUrl("poolTasks"), { size: 0 }),
      /size must be an integer >= 1, got 0/,
    );
    assert.throws(() => new Pool("./nowhere.ts"), /module not found/);
  });
});

describe("Pipe", () => {
  test("duplex messages cross both ways with a worker; EOF after the other end closes", async () => {
    const [mine, theirs] = Pipe<number>();
    const worker = startStep("echo", theirs);
    for (const n of [1, 2, 3]) mine.send(n);
    assert.deepEqual([await mine.recv(), await mine.recv(), await mine.recv()], [2, 4, 6]);
    mine.send(-1);
    await assert.rejects(mine.recv(), EOFError);
    assert.throws(() => mine.send(1), BrokenPipeError);
    await joinAll([worker]);
  });

  test("one-way pipe: first end reads, second writes", async () => {
    const [reader, writer] = Pipe<string>({ duplex: false });
    writer.send("hello");
    assert.equal(await reader.recv(), "hello");
    assert.throws(() => reader.send("x"), /read-only/);
    writer.close();
    await assert.rejects(reader.recv(), EOFError);
  });
});

describe("revive", () => {
  test("cyclic messages and maps with primitives inside revive without looping", async () => {
    const lock = new Lock("inMap");
    const message: Record<string, unknown> = { map: new Map([["k", lock]]) };
    message["self"] = message;
    const copy = structuredClone(message) as { self: unknown; map: Map<string, unknown> };
    const { revive } = await import("threadlens");
    revive(copy);
    assert.equal(copy.self, copy);
    assert.equal(copy.map.get("k"), lock);
  });
});
