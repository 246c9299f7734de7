// The primitive server of an owner process (protocol/primitiveWire.ts): an internal helper
// thread that carries out other processes' operations on this process's primitives, on their
// behalf. Each calling logical thread gets a stand-in logical thread here, so lock ownership and
// RLock re-entry are that thread's; the real primitive (its shared memory) does the rest, with
// this process's own threads. Nothing here is recorded: the caller records its operations
// itself, as its own thread's, on the owner's object (the run's recorder maps the ids).
// A caller that goes away: its waits are given up (what they got after it left is given back),
// its holds are kept. A process that dies holding a lock has not released it: the run reports
// `lock-held-at-exit`, and whoever waits for the lock waits on, as with a killed thread.
import type { Socket } from "node:net";
import { net } from "../../protocol/lazyBuiltins.ts";
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import {
  FrameReader,
  encodeFrame,
  type WireReply,
  type WireRequest,
} from "../../protocol/primitiveWire.ts";
import { runAs, type LogicalThread } from "../logicalThread.ts";
import { KIND_FIELD, revive } from "../primitive.ts";
import { nextLogicalThreadId } from "../world.ts";
import { keepItemsAsStored } from "../itemStore.ts";

/** What an owner process posts to its server: a primitive that a child process may use. */
export interface ShareMessage {
  readonly type: "share";
  readonly object: unknown;
}

/** A Manager's container to create (or, `shutdown`, a Manager whose containers to drop). */
export interface CreateMessage {
  readonly type: "create";
  readonly kind: "Manager" | "ManagedDict" | "ManagedList" | "shutdown";
  readonly id: number;
  /** The Manager's id (of a container). */
  readonly manager: number;
}

/** The operations served per kind: methods, and the getters (read with no args). */
const LOCK_OPS = ["acquire", "tryAcquire", "release", "locked"];
const QUEUE_OPS = [
  "put",
  "get",
  "putNowait",
  "getNowait",
  "qsize",
  "empty",
  "full",
  "taskDone",
  "join",
  "shutdown",
  "isShutDown",
];
export const SERVED_OPS: Readonly<Record<string, readonly string[]>> = {
  Lock: LOCK_OPS,
  RLock: LOCK_OPS,
  Semaphore: ["acquire", "tryAcquire", "release", "value"],
  BoundedSemaphore: ["acquire", "tryAcquire", "release", "value"],
  Event: ["set", "clear", "isSet", "wait"],
  Condition: ["acquire", "release", "wait", "notify", "notifyAll"],
  Queue: QUEUE_OPS,
  LifoQueue: QUEUE_OPS,
  PriorityQueue: QUEUE_OPS,
  RWLock: [
    "acquireRead",
    "acquireWrite",
    "releaseRead",
    "releaseWrite",
    "readers",
    "waitingWriters",
    "writeLocked",
  ],
  Barrier: ["wait", "abort", "reset", "nWaiting", "broken"],
  ManagedDict: ["get", "set", "delete", "has", "keys", "entries", "size"],
  ManagedList: ["append", "get", "set", "length", "toArray"],
};

type Served = Record<string, unknown> & { readonly [KIND_FIELD]: string; readonly id: number };

interface Connection {
  readonly socket: Socket;
  /** The calling process (its hello). */
  pid: number;
  closed: boolean;
}

const objects = new Map<number, Served>();

/** Containers of each Manager, and the ids of those shut down. */
const managed = new Map<number, number[]>();
const dropped = new Set<number>();

function container(kind: "ManagedDict" | "ManagedList", id: number): Served {
  const map = new Map<string, unknown>();
  const list: unknown[] = [];
  const base = { [KIND_FIELD]: kind, id };
  if (kind === "ManagedDict") {
    return {
      ...base,
      get: (key: string) => map.get(key),
      set: (key: string, value: unknown) => void map.set(key, value),
      delete: (key: string) => map.delete(key),
      has: (key: string) => map.has(key),
      keys: () => [...map.keys()],
      entries: () => [...map.entries()],
      size: () => map.size,
    };
  }
  return {
    ...base,
    append: (value: unknown) => void list.push(value),
    get: (index: number) => list[index],
    set: (index: number, value: unknown) => {
      if (!Number.isInteger(index) || index < 0 || index >= list.length)
        throw new RangeError(`list index ${index} out of range (length ${list.length})`);
      list[index] = value;
    },
    length: () => list.length,
    toArray: () => [...list],
  };
}

function accept(value: unknown): void {
  const m = value as ShareMessage | CreateMessage;
  if (m?.type === "create") {
    if (m.kind === "Manager") managed.set(m.id, []);
    else if (m.kind === "shutdown") {
      for (const id of managed.get(m.id) ?? []) {
        objects.delete(id);
        dropped.add(id);
      }
      managed.delete(m.id);
    } else {
      objects.set(m.id, container(m.kind, m.id));
      managed.get(m.manager)?.push(m.id);
    }
    return;
  }
  if (m?.type !== "share") return;
  const object = m.object as Served;
  if (typeof object?.id === "number") objects.set(object.id, object);
}

/**
 * The object `id`, after taking in what the owner posted but was not delivered yet: a call that
 * comes on a socket can overtake a share, a new container or a Manager's shutdown posted before
 * it (so `manager.shutdown(); await dict.size()` fails as it reads).
 */
function objectOf(id: number): Served | undefined {
  if (parentPort !== null) {
    for (
      let m = receiveMessageOnPort(parentPort);
      m !== undefined;
      m = receiveMessageOnPort(parentPort)
    )
      accept(revive(m.message));
  }
  return objects.get(id);
}

/**
 * The stand-in of logical thread `thread` of the calling process: one per calling thread, over
 * all its connections (a thread's async calls come on its own, its Sync calls through its helper's).
 */
const standIns = new Map<string, LogicalThread>();

function standIn(conn: Connection, thread: number): LogicalThread {
  const key = `${conn.pid}:${thread}`;
  let own = standIns.get(key);
  if (own === undefined) {
    own = { ident: nextLogicalThreadId(), name: `remote-${key}`, kind: "task", daemon: false };
    standIns.set(key, own);
  }
  return own;
}

function send(conn: Connection, reply: WireReply): void {
  if (!conn.closed) conn.socket.write(encodeFrame(reply));
}

function invoke(object: Served, op: string, args: readonly unknown[]): unknown {
  const member = object[op];
  return typeof member === "function"
    ? (member as (...a: unknown[]) => unknown).apply(object, args as unknown[])
    : member;
}

/** What a call that ended after its caller left had taken is given back. */
function giveBack(object: Served, op: string, result: unknown, thread: LogicalThread): void {
  runAs(thread, () => {
    try {
      if ((op === "acquire" || op === "tryAcquire") && result === true)
        invoke(object, "release", []);
      else if (op === "acquireRead" && result === true) invoke(object, "releaseRead", []);
      else if (op === "acquireWrite" && result === true) invoke(object, "releaseWrite", []);
      else if (op === "wait" && object[KIND_FIELD] === "Condition") invoke(object, "release", []);
      else if (op === "get") invoke(object, "putNowait", [result]);
    } catch {
      // Nothing to give back to (shut down, full): the item or unit is lost with its caller.
    }
  });
}

async function serve(conn: Connection, request: WireRequest): Promise<void> {
  const { call, op } = request;
  const object = objectOf(request.object);
  const kind = object?.[KIND_FIELD];
  if (object === undefined && dropped.has(request.object)) {
    send(conn, {
      type: "error",
      call,
      name: "ThreadStateError",
      message: `${op}(): its Manager was shut down`,
    });
    return;
  }
  if (object === undefined || kind === undefined || !SERVED_OPS[kind]?.includes(op)) {
    send(conn, {
      type: "error",
      call,
      name: "ThreadStateError",
      message: `no shared primitive ${request.object} with an operation ${op} in process ${process.pid}`,
    });
    return;
  }
  const thread = standIn(conn, request.thread);
  let value: unknown;
  try {
    const result = runAs(thread, () => invoke(object, op, request.args));
    if (result instanceof Promise) {
      let settled = false;
      const done = (): void => {
        settled = true;
      };
      result.then(done, done);
      // Not settled once the microtasks have run: the operation waits, the caller records it.
      setImmediate(() => {
        if (!settled) send(conn, { type: "blocked", call });
      });
      value = await result;
    } else value = result;
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    send(conn, { type: "error", call, name: e.name, message: e.message });
    return;
  }
  if (conn.closed) giveBack(object, op, value, thread);
  else send(conn, { type: "done", call, value });
}

function connected(socket: Socket): void {
  const conn: Connection = { socket, pid: 0, closed: false };
  const reader = new FrameReader();
  socket.on("data", (chunk: Buffer) => {
    let messages;
    try {
      messages = reader.push(chunk);
    } catch {
      socket.destroy();
      return;
    }
    for (const m of messages) {
      if (m.type === "hello") conn.pid = m.pid;
      else if (m.type === "call") void serve(conn, m);
    }
  });
  const gone = (): void => {
    conn.closed = true;
  };
  socket.on("close", gone);
  socket.on("error", gone);
}

/** Runs the server (in its helper thread): listens on workerData.socket, takes shares. */
export function runServer(): void {
  // Items with primitives go to their getters as handles, revived there.
  keepItemsAsStored();
  const socketPath = (workerData as { socket: string }).socket;
  parentPort?.on("message", accept);
  const server = net().createServer(connected);
  server.on("error", (error) => {
    process.stderr.write(`threadlens: cannot serve shared primitives: ${String(error)}\n`);
  });
  server.listen(socketPath);
}
