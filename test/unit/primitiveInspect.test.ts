// What console.log and the REPL show for a primitive: its toString (kind, name, state), not its
// shared-memory words and internal fields (primitive.ts installs node:util's inspect hook).
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { Barrier, Event, Lock, Queue, RLock, RWLock, Semaphore } from "threadlens";

test("a primitive inspects as its toString, with its state", async () => {
  const lock = new Lock("accounts");
  assert.equal(inspect(lock), "Lock(accounts, unlocked)");
  await lock.acquire();
  assert.equal(inspect(lock), "Lock(accounts, locked)");
  lock.release();
  const ready = new Event("ready");
  ready.set();
  assert.equal(
    inspect({ ready, slots: [new Semaphore(2, "slots")] }),
    "{ ready: Event(ready, set), slots: [ Semaphore(slots, value=2) ] }",
  );
  assert.equal(inspect(new Queue(0, "jobs")), "Queue(jobs, 0 items)");
  assert.equal(inspect(new Barrier(2, "gate")), "Barrier(gate, 0/2)");
  assert.equal(inspect(new RLock("r")), "RLock(r, unlocked)");
  assert.equal(inspect(new RWLock("rw")), "RWLock(rw)");
});
