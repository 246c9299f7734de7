// Calls on another process's primitive (protocol/primitiveWire.ts), from any thread of this
// process. Each OS thread that makes such calls gets a helper thread of its own (started on the
// first call) that holds the connections to the owners' servers; the thread posts a call to
// its helper and either awaits the reply (async variants) or blocks until it comes (Sync
// variants: Atomics.wait on a word the helper bumps after each reply, then the reply is taken
// off the port with receiveMessageOnPort). A blocked thread needs no event loop of its own,
// and its helper keeps its calls in order on one connection per owner.
import { connect, type Socket } from "node:net";
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
  const l = linkOf();
  return new Promise<unknown>((resolve, reject) => {
    const call = post(l, handle, thread, op, args);
    startWork();
    let waiting = false;
    const done = (): void => {
      if (waiting) releaseLoop();
      else endWork();
    };
    l.pending.set(call, {
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

// The helper thread's side.

interface Owner {
  socket: Socket | undefined;
  readonly queue: Buffer[];
  /** Calls sent and not answered: failed if the owner goes away. */
  readonly open: Set<number>;
  attempts: number;
}

const CONNECT_RETRY_MS = 20;
/** The owner's server starts with its first child: a first connection may come before it. */
const CONNECT_ATTEMPTS = 250;

/** Runs the helper (in its thread): relays the thread's calls and their replies. */
export function runCaller(): void {
  const data = workerData as { port: MessagePort; wake: Int32Array };
  const { port, wake } = data;
  const owners = new Map<string, Owner>();

  const reply = (message: WireReply): void => {
    port.postMessage(message);
    Atomics.add(wake, 0, 1);
    rawNotify(wake, 0);
  };

  const fail = (owner: Owner, socketPath: string): void => {
    for (const call of owner.open) {
      reply({
        type: "error",
        call,
        name: "BrokenPipeError",
        message: `the process that owns this primitive has ended (${socketPath})`,
      });
    }
    owner.open.clear();
  };

  const open = (socketPath: string, owner: Owner): void => {
    const socket = connect(socketPath);
    const reader = new FrameReader();
    let up = false;
    socket.on("connect", () => {
      up = true;
      owner.socket = socket;
      socket.write(encodeFrame({ type: "hello", pid: process.pid }));
      for (const frame of owner.queue.splice(0)) socket.write(frame);
    });
    socket.on("data", (chunk: Buffer) => {
      for (const m of reader.push(chunk)) {
        if (m.type !== "done" && m.type !== "error" && m.type !== "blocked") continue;
        if (m.type !== "blocked") owner.open.delete(m.call);
        reply(m);
      }
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      owner.socket = undefined;
      if (!up && ++owner.attempts < CONNECT_ATTEMPTS) {
        setTimeout(() => open(socketPath, owner), CONNECT_RETRY_MS);
        return;
      }
      fail(owner, socketPath);
      owners.delete(socketPath);
    });
  };

  port.on("message", (m: PostedCall) => {
    let owner = owners.get(m.socket);
    if (owner === undefined) {
      owner = { socket: undefined, queue: [], open: new Set(), attempts: 0 };
      owners.set(m.socket, owner);
      open(m.socket, owner);
    }
    owner.open.add(m.call);
    const frame = encodeFrame({
      type: "call",
      call: m.call,
      object: m.object,
      thread: m.thread,
      op: m.op,
      args: m.args,
    });
    if (owner.socket === undefined) owner.queue.push(frame);
    else owner.socket.write(frame);
  });
  // The thread it served has ended: so does the helper.
  port.on("close", () => process.exit(0));
  void parentPort;
}
