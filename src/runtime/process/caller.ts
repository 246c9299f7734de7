// Calls on another process's primitive (protocol/primitiveWire.ts), from any thread of this
// process. Async calls go on the thread's own connection to the owner's server. Sync calls go
// through a helper thread of the calling thread (started on its first Sync call), which holds
// connections of its own: the thread posts the call and blocks (Atomics.wait on a word the
// helper bumps after each reply, then takes the reply off the port with receiveMessageOnPort),
// so a blocked thread needs no event loop. Every call waits for its reply before its logical
// thread goes on, so a thread's calls stay in order over the two ways; the owner knows a
// calling thread by its process and ident, whichever connection a call comes on.
import type { Socket } from "node:net";
import { net } from "../../protocol/lazyBuiltins.ts";
import {
  MessageChannel,
  parentPort,
  receiveMessageOnPort,
  workerData,
  type MessagePort,
} from "node:worker_threads";
import {
  FrameReader,
  encodeFrame,
  type RemoteHandle,
  type WireReply,
} from "../../protocol/primitiveWire.ts";
import * as errors from "../errors.ts";
import { holdLoop, parkSync, releaseLoop } from "../parking.ts";
import { rawNotify } from "../rawAtomics.ts";
import { startInternalWorker } from "./internalWorker.ts";

/** A call as the thread posts it to its helper. */
interface PostedCall {
  readonly socket: string;
  readonly call: number;
  readonly object: number;
  readonly thread: number;
  readonly op: string;
  readonly args: readonly unknown[];
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly blocked: (() => void) | undefined;
}

interface Link {
  readonly port: MessagePort;
  readonly wake: Int32Array;
  readonly pending: Map<number, Pending>;
}

let link: Link | undefined;
let nextCall = 1;

function linkOf(): Link {
  if (link !== undefined) return link;
  const { port1, port2 } = new MessageChannel();
  const wake = new Int32Array(new SharedArrayBuffer(4));
  startInternalWorker("caller", { port: port2, wake }, [port2]);
  const pending = new Map<number, Pending>();
  port1.on("message", (reply: WireReply) => settle(pending, reply));
  port1.unref();
  link = { port: port1, wake, pending };
  return link;
}

const ERROR_CLASSES = errors as unknown as Record<string, new (message: string) => Error>;

/** The error a failed call throws: the owner's error class when threadlens has it. */
export function errorOf(reply: Extract<WireReply, { type: "error" }>): Error {
  const known = ERROR_CLASSES[reply.name];
  if (typeof known === "function" && known.prototype instanceof Error)
    return new known(reply.message);
  const error = new Error(reply.message);
  error.name = reply.name;
  return error;
}

function settle(pending: Map<number, Pending>, reply: WireReply): void {
  const p = pending.get(reply.call);
  if (p === undefined) return;
  if (reply.type === "blocked") {
    p.blocked?.();
    return;
  }
  pending.delete(reply.call);
  if (reply.type === "done") p.resolve(reply.value);
  else p.reject(errorOf(reply));
}

function post(l: Link, handle: RemoteHandle, thread: number, op: string, args: unknown[]): number {
  const call = nextCall++;
  const message: PostedCall = { socket: handle.socket, call, object: handle.id, thread, op, args };
  l.port.postMessage(message);
  return call;
}

// A call in flight that the owner has not said it waits in is work under way, not a wait: its
// thread must not look idle to the hang analysis (an idle loop with only threadlens waits can
// never be woken). Async callers keep a timer of their own meanwhile, which the idle check
// counts as work; once the owner says the call waits, it is a wait like a local one
// (holdLoop: the loop may report idle). Sync callers wait in short quiet slices until then.
let inFlight = 0;
let busy: ReturnType<typeof setInterval> | undefined;

function startWork(): void {
  if (inFlight++ === 0) busy = setInterval(() => undefined, 1 << 30);
}

function endWork(): void {
  if (--inFlight === 0 && busy !== undefined) {
    clearInterval(busy);
    busy = undefined;
  }
}

/** Async calls of this thread, over its own connections to the owners. */
const directPending = new Map<number, Pending>();
const direct = new Map<string, OwnerConnection>();

function directTo(socketPath: string): OwnerConnection {
  let owner = direct.get(socketPath);
  if (owner === undefined || owner.gone) {
    owner = new OwnerConnection(socketPath, (reply) => settle(directPending, reply), true);
    direct.set(socketPath, owner);
  }
  return owner;
}

/**
 * Calls `op(...args)` on the owner's primitive for logical thread `thread`; `blocked` runs if the
 * operation has to wait. The event loop keeps running (and the process alive) meanwhile.
 */
export function callAsync(
  handle: RemoteHandle,
  thread: number,
  op: string,
  args: unknown[],
  blocked?: () => void,
): Promise<unknown> {
  return new Promise<unknown>((resolve, reject) => {
    const call = nextCall++;
    startWork();
    let waiting = false;
    const done = (): void => {
      if (waiting) releaseLoop();
      else endWork();
    };
    directPending.set(call, {
      resolve: (value) => {
        done();
        resolve(value);
      },
      reject: (error) => {
        done();
        reject(error);
      },
      blocked: () => {
        if (waiting) return;
        waiting = true;
        holdLoop();
        endWork();
        blocked?.();
      },
    });
    const message: PostedCall = {
      socket: handle.socket,
      call,
      object: handle.id,
      thread,
      op,
      args,
    };
    directTo(handle.socket).send(call, frameOf(message));
  });
}

const QUIET_SLICE_MS = 100;

/** callAsync() for Sync callers: blocks this thread until the reply. */
export function callSync(
  handle: RemoteHandle,
  thread: number,
  op: string,
  args: unknown[],
  blocked?: () => void,
): unknown {
  const l = linkOf();
  const call = post(l, handle, thread, op, args);
  let waiting = false;
  for (;;) {
    const seen = Atomics.load(l.wake, 0);
    for (let m = receiveMessageOnPort(l.port); m !== undefined; m = receiveMessageOnPort(l.port)) {
      const reply = m.message as WireReply;
      if (reply.call !== call) {
        settle(l.pending, reply);
        continue;
      }
      if (reply.type === "blocked") {
        waiting = true;
        blocked?.();
      } else if (reply.type === "done") return reply.value;
      else throw errorOf(reply);
    }
    if (waiting) parkSync(l.wake, 0, seen, Infinity);
    else parkSync(l.wake, 0, seen, performance.now() + QUIET_SLICE_MS, true);
  }
}

// A connection to an owner's server, from a helper thread (Sync calls) or from the calling
// thread itself (async calls: no hop through the helper). The owner's server starts with its
// first child: a first connection may come before it listens, and is retried.

const CONNECT_RETRY_MS = 20;
const CONNECT_ATTEMPTS = 250;

class OwnerConnection {
  #socket: Socket | undefined;
  readonly #queue: Buffer[] = [];
  /** Calls sent and not answered: failed if the owner goes away. */
  readonly #open = new Set<number>();
  #attempts = 0;
  #gone = false;

  constructor(
    readonly path: string,
    private readonly onReply: (reply: WireReply) => void,
    private readonly passive: boolean,
  ) {
    this.#connect();
  }

  get gone(): boolean {
    return this.#gone;
  }

  send(call: number, frame: Buffer): void {
    this.#open.add(call);
    if (this.#socket === undefined) this.#queue.push(frame);
    else this.#socket.write(frame);
  }

  #connect(): void {
    const socket = net().connect(this.path);
    // A caller's own connection does not keep its process alive (its calls do, while pending).
    if (this.passive) socket.unref();
    const reader = new FrameReader();
    let up = false;
    socket.on("connect", () => {
      up = true;
      this.#socket = socket;
      socket.write(encodeFrame({ type: "hello", pid: process.pid }));
      for (const frame of this.#queue.splice(0)) socket.write(frame);
    });
    socket.on("data", (chunk: Buffer) => {
      for (const m of reader.push(chunk)) {
        if (m.type !== "done" && m.type !== "error" && m.type !== "blocked") continue;
        if (m.type !== "blocked") this.#open.delete(m.call);
        this.onReply(m);
      }
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      this.#socket = undefined;
      if (!up && ++this.#attempts < CONNECT_ATTEMPTS) {
        setTimeout(() => this.#connect(), CONNECT_RETRY_MS);
        return;
      }
      this.#gone = true;
      for (const call of this.#open) {
        this.onReply({
          type: "error",
          call,
          name: "BrokenPipeError",
          message: `the process that owns this primitive has ended (${this.path})`,
        });
      }
      this.#open.clear();
    });
  }
}

function frameOf(m: PostedCall): Buffer {
  return encodeFrame({
    type: "call",
    call: m.call,
    object: m.object,
    thread: m.thread,
    op: m.op,
    args: m.args,
  });
}

/** Runs the helper (in its thread): relays the thread's Sync calls and their replies. */
export function runCaller(): void {
  const data = workerData as { port: MessagePort; wake: Int32Array };
  const { port, wake } = data;
  const owners = new Map<string, OwnerConnection>();
  const reply = (message: WireReply): void => {
    port.postMessage(message);
    Atomics.add(wake, 0, 1);
    rawNotify(wake, 0);
  };
  port.on("message", (m: PostedCall) => {
    let owner = owners.get(m.socket);
    if (owner === undefined || owner.gone) {
      owner = new OwnerConnection(m.socket, reply, false);
      owners.set(m.socket, owner);
    }
    owner.send(m.call, frameOf(m));
  });
  // The thread it served has ended: so does the helper.
  port.on("close", () => process.exit(0));
  void parentPort;
}
