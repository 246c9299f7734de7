// Worker: receives primitives by postMessage and reports what it sees of them.
import { parentPort } from "node:worker_threads";
import { Lock, Queue, currentThread, type Event } from "threadlens";

parentPort?.once(
  "message",
  (msg: { lock: Lock; nested: { items: [Queue<string>] }; done: Event }) => {
    const { lock, nested, done } = msg;
    parentPort?.postMessage({
      isLock: lock instanceof Lock,
      id: lock.id,
      name: lock.name,
      locked: lock.locked,
      sameObject: msg.lock === (msg as { again?: Lock }).again,
      isQueue: nested.items[0] instanceof Queue,
      thread: currentThread().name,
      kind: currentThread().kind,
    });
    nested.items[0].putSync("from worker");
    done.set();
  },
);
