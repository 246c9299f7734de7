// Which primitive of this process stands for a handle (protocol/primitiveWire.ts): one object
// per primitive of another process in each thread, of the class of its kind; a Pipe's
// Connection is this runtime's own Connection over the owner's two queues.
import { REMOTE_FIELD, type RemoteHandle } from "../../protocol/primitiveWire.ts";
import { ArgumentError } from "../errors.ts";
import { Connection } from "../pipe.ts";
import { KIND_FIELD, knownObject, registerReviver } from "../primitive.ts";
import type { Queue } from "../queue.ts";
import { nextObjectId } from "../world.ts";
import {
  REMOTE_KIND,
  RemoteEvent,
  RemoteLock,
  RemoteSemaphore,
  type RemotePrimitive,
} from "./remote.ts";
import { RemoteBarrier, RemoteCondition, RemoteQueue } from "./remoteQueue.ts";
import { RemoteRWLock } from "./remoteRWLock.ts";
import { ManagedDict, ManagedList } from "./manager.ts";

type Make = (handle: RemoteHandle, id: number | undefined) => RemotePrimitive;

function part(handle: RemoteHandle, name: string): RemoteHandle {
  const found = handle.parts?.[name];
  if (found === undefined || found === null)
    throw new ArgumentError(`a ${handle.kind} handle without its ${name}`);
  return found;
}

const CLASSES: Readonly<Record<string, Make>> = {
  Lock: (h, id) => new RemoteLock(h, id),
  RLock: (h, id) => new RemoteLock(h, id),
  Semaphore: (h, id) => new RemoteSemaphore(h, id),
  BoundedSemaphore: (h, id) => new RemoteSemaphore(h, id),
  Event: (h, id) => new RemoteEvent(h, id),
  Queue: (h, id) => new RemoteQueue(h, id),
  LifoQueue: (h, id) => new RemoteQueue(h, id),
  PriorityQueue: (h, id) => new RemoteQueue(h, id),
  Condition: (h, id) => new RemoteCondition(h, remoteFor(part(h, "lock")) as RemoteLock, id),
  Barrier: (h, id) => new RemoteBarrier(h, id),
  RWLock: (h, id) => new RemoteRWLock(h, id),
  ManagedDict: (h, id) => new ManagedDict(h, id),
  ManagedList: (h, id) => new ManagedList(h, id),
};

/** The kinds of primitive that can be passed to a process. */
export const SHARABLE_KINDS: ReadonlySet<string> = new Set([...Object.keys(CLASSES), "Connection"]);

const proxies = new Map<string, RemotePrimitive>();

/** This thread's object for the owner's primitive `handle` (one per primitive). */
export function remoteFor(handle: RemoteHandle, id?: number): RemotePrimitive {
  const key = `${handle.pid}:${handle.id}`;
  let proxy = proxies.get(key);
  if (proxy === undefined) {
    const make = CLASSES[handle.kind];
    if (make === undefined)
      throw new ArgumentError(`a ${handle.kind} cannot be used from another process`);
    proxy = make(handle, id);
    proxies.set(key, proxy);
  }
  return proxy;
}

/** What a handle stands for here: a Connection is rebuilt over the owner's queues. */
export function primitiveFor(handle: RemoteHandle): object {
  // One of this process's own, back (from a queue item): the object itself where it is known.
  if (handle.pid === process.pid) {
    const own = knownObject(handle.id) as Record<string, unknown> | undefined;
    if (own !== undefined && own[KIND_FIELD] === handle.kind) return own;
  }
  if (handle.kind !== "Connection") return remoteFor(handle);
  const queue = (name: string): Queue | null => {
    const h = handle.parts?.[name];
    return h === undefined || h === null ? null : (remoteFor(h) as unknown as Queue);
  };
  return new Connection({
    id: nextObjectId(),
    name: handle.name,
    inbox: queue("inbox"),
    outbox: queue("outbox"),
    // This end's own closed flag (the other end's close reaches it through the queues).
    closed: new Int32Array(new SharedArrayBuffer(8)),
    side: handle.side ?? 0,
  });
}

registerReviver(REMOTE_KIND, (copy) =>
  remoteFor(copy["handle"] as RemoteHandle, copy["id"] as number),
);
// A handle met by revive() (a Pool worker process's task args).
registerReviver(REMOTE_FIELD, (copy) => primitiveFor(copy[REMOTE_FIELD] as RemoteHandle));
