// The wire of primitives shared across processes (DESIGN 3.3). The process that created a
// primitive (its owner) carries out the operations of the processes it reached, on their
// behalf, in a server thread of its own; each thread of another process that uses the
// primitive talks to that server through a helper thread of its own, over a Unix socket in a
// private directory (mode 0700: no TCP port, nothing another local user can reach). Both ends
// are worker threads, so an owner or a caller whose main thread is blocked (in a Sync wait, or
// busy) is still served. One frame = a 4-byte big-endian length, then the v8-serialized
// message (structured clone: queue items keep their Maps, Dates, typed arrays).
import { v8 } from "./lazyBuiltins.ts";

/** What a primitive becomes in a Process's args: the means to reach it from another process. */
export interface RemoteHandle {
  /** The primitive's kind (its ObjectKind). */
  readonly kind: string;
  /** Its id in the owner process. */
  readonly id: number;
  readonly name: string;
  /** The owner's pid (the run-wide id of the object is the owner's). */
  readonly pid: number;
  /** The owner's server socket. */
  readonly socket: string;
  /** Semaphore value, queue maxsize, barrier parties; 0 otherwise. */
  readonly capacity: number;
  /** The primitives it is made of: a Condition's `lock`, a Connection's `inbox` and `outbox`. */
  readonly parts?: { readonly [name: string]: RemoteHandle | null } | undefined;
  /** A Connection's end (0 or 1). */
  readonly side?: number | undefined;
}

/** The marker field of a RemoteHandle inside v8-serialized args. */
export const REMOTE_FIELD = "__threadlens_remote__";

/**
 * Where the runtime puts its primitives-to-handles copy for the Pool's worker script (a bundle
 * of its own): a task's result goes back to the program with its primitives as handles.
 */
export const SENDABLE_HOOK = Symbol.for("threadlens.toSendable");

/** First frame of a connection: who is calling (the calling thread's process). */
export interface WireHello {
  readonly type: "hello";
  readonly pid: number;
}

/** An operation `op(...args)` on object `object` for logical thread `thread` of the caller. */
export interface WireRequest {
  readonly type: "call";
  readonly call: number;
  readonly object: number;
  readonly thread: number;
  readonly op: string;
  readonly args: readonly unknown[];
}

export type WireReply =
  /** The operation is done; `value` is its result. */
  | { readonly type: "done"; readonly call: number; readonly value: unknown }
  /** The operation has to wait (the caller records the wait it is in). */
  | { readonly type: "blocked"; readonly call: number }
  /** It threw: the error's class name and message, rethrown in the caller. */
  | {
      readonly type: "error";
      readonly call: number;
      readonly name: string;
      readonly message: string;
    };

export type WireMessage = WireHello | WireRequest | WireReply;

const HEADER = 4;
/** A frame longer than this is refused (a corrupt stream, or a peer that is not ours). */
export const MAX_FRAME = 256 * 1024 * 1024;

export function encodeFrame(message: WireMessage): Buffer {
  const body = v8().serialize(message);
  const frame = Buffer.allocUnsafe(HEADER + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, HEADER);
  return frame;
}

function isMessage(value: unknown): value is WireMessage {
  if (value === null || typeof value !== "object") return false;
  const type = (value as { type?: unknown }).type;
  return (
    type === "hello" || type === "call" || type === "done" || type === "blocked" || type === "error"
  );
}

/** Splits a byte stream into messages; throws on a stream that is not this wire. */
export class FrameReader {
  #pending: Buffer[] = [];
  #size = 0;

  /** Adds `chunk`; returns the messages it completed, in order. */
  push(chunk: Buffer): WireMessage[] {
    this.#pending.push(chunk);
    this.#size += chunk.length;
    const out: WireMessage[] = [];
    for (;;) {
      if (this.#size < HEADER) return out;
      let data = this.#pending.length === 1 ? (this.#pending[0] as Buffer) : this.#join();
      const length = data.readUInt32BE(0);
      if (length > MAX_FRAME) throw new Error(`frame of ${length} bytes refused`);
      if (this.#size < HEADER + length) return out;
      const value: unknown = v8().deserialize(data.subarray(HEADER, HEADER + length));
      if (!isMessage(value)) throw new Error("not a threadlens primitive message");
      out.push(value);
      data = data.subarray(HEADER + length);
      this.#pending = data.length === 0 ? [] : [data];
      this.#size = data.length;
    }
  }

  #join(): Buffer {
    const joined = Buffer.concat(this.#pending, this.#size);
    this.#pending = [joined];
    return joined;
  }
}

export function isRemoteHandle(value: unknown): value is RemoteHandle {
  if (value === null || typeof value !== "object") return false;
  const h = value as Record<string, unknown>;
  return (
    typeof h["kind"] === "string" &&
    typeof h["id"] === "number" &&
    typeof h["name"] === "string" &&
    typeof h["pid"] === "number" &&
    typeof h["socket"] === "string" &&
    typeof h["capacity"] === "number"
  );
}
