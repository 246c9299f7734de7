// Primitives in a Process's args (DESIGN 3.3). In the parent each primitive becomes a handle
// (protocol/primitiveWire.ts) and is handed to this process's primitive server (server.ts),
// started with the first one, listening in a private 0700 folder removed at exit; a primitive of
// another process (remote.ts) passes on its own handle, so a grandchild reaches the owner
// itself. In the child, processArgs() turns the handles back into primitives.
import {
  REMOTE_FIELD,
  SENDABLE_HOOK,
  isRemoteHandle,
  type RemoteHandle,
} from "../../protocol/primitiveWire.ts";
import { KIND_FIELD } from "../primitive.ts";
import { setItemSharing } from "../itemStore.ts";
import { ownServer } from "./ownServer.ts";
import { REMOTE_KIND, RemotePrimitive } from "./remote.ts";
import { SHARABLE_KINDS, primitiveFor } from "./remoteRegistry.ts";
import type { ShareMessage } from "./server.ts";

type Primitive = Record<string, unknown> & { readonly [KIND_FIELD]: string; readonly id: number };

function isPlain(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null || Array.isArray(value);
}

/**
 * What in `value` cannot reach another process: a primitive of a kind that is not shared
 * across processes, shared memory of the program's own (a SharedArrayBuffer, a view on one).
 */
export function findUnsendable(value: unknown, seen = new Set<object>()): string | undefined {
  if (value === null || typeof value !== "object" || seen.has(value)) return undefined;
  seen.add(value);
  if (value instanceof SharedArrayBuffer) return "SharedArrayBuffer";
  if (ArrayBuffer.isView(value))
    return value.buffer instanceof SharedArrayBuffer ? "view on a SharedArrayBuffer" : undefined;
  const kind = (value as Record<string, unknown>)[KIND_FIELD];
  if (typeof kind === "string")
    return kind === REMOTE_KIND || SHARABLE_KINDS.has(kind) ? undefined : kind;
  if (!isPlain(value)) return undefined;
  for (const item of Array.isArray(value) ? value : Object.values(value)) {
    const found = findUnsendable(item, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

function handleOf(primitive: Primitive): RemoteHandle {
  if (primitive instanceof RemotePrimitive) return primitive.handle;
  const kind = primitive[KIND_FIELD];
  const name = String(primitive["name"]);
  const partOf = (value: unknown): RemoteHandle | null =>
    value === null || value === undefined ? null : handleOf(value as Primitive);
  if (kind === "Connection") {
    // Nothing of its own to serve: a Connection is its two queues (and this end's flag).
    const parts = { inbox: partOf(primitive["inbox"]), outbox: partOf(primitive["outbox"]) };
    const side = primitive["side"] as number;
    return { kind, id: primitive.id, name, pid: process.pid, socket: "", capacity: 0, parts, side };
  }
  const own = ownServer();
  if (!own.shared.has(primitive.id)) {
    own.shared.add(primitive.id);
    const message: ShareMessage = { type: "share", object: primitive };
    own.worker.postMessage(message);
  }
  // A queue's maxsize, a barrier's parties.
  const maxsize = primitive["maxsize"] ?? primitive["parties"];
  return {
    kind,
    id: primitive.id,
    name,
    pid: process.pid,
    socket: own.socket,
    capacity: typeof maxsize === "number" ? maxsize : 0,
    parts: kind === "Condition" ? { lock: partOf(primitive["lock"]) } : undefined,
  };
}

/** A copy of `value` for a child process: every primitive in it replaced by its handle. */
export function toSendable(value: unknown, seen = new Map<object, unknown>()): unknown {
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return seen.get(value);
  const kind = (value as Record<string, unknown>)[KIND_FIELD];
  if (typeof kind === "string") {
    const sent = { [REMOTE_FIELD]: handleOf(value as Primitive) };
    seen.set(value, sent);
    return sent;
  }
  if (!isPlain(value)) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(toSendable(item, seen));
    return out;
  }
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [key, item] of Object.entries(value)) out[key] = toSendable(item, seen);
  return out;
}

/** In the child: `value` with every handle replaced by the primitive (in place). */
export function fromSendable(value: unknown, seen = new Set<object>()): unknown {
  if (value === null || typeof value !== "object" || seen.has(value)) return value;
  seen.add(value);
  const handle = (value as Record<string, unknown>)[REMOTE_FIELD];
  if (handle !== undefined && isRemoteHandle(handle)) return primitiveFor(handle);
  if (!isPlain(value)) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = fromSendable(value[i], seen);
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) record[key] = fromSendable(record[key], seen);
  return value;
}

// A primitive inside a queue item travels as its handle (itemStore.ts).
setItemSharing((item) => toSendable(item));
// ...and in a Pool task's result, sent by a worker process (poolWorker.ts, its own bundle,
// reaches this runtime's one instance through this global).
(globalThis as Record<symbol, unknown>)[SENDABLE_HOOK] = toSendable;
