// Pipe (Python's multiprocessing.Pipe): two connected ends; what one sends the other receives.
// Each direction is a shared Queue, so an end posted to a worker works there. close() shuts the
// queues down: the other end's recv() drains what was sent, then rejects with EOFError; its
// send() fails with BrokenPipeError.
import { BrokenPipeError, EOFError, QueueShutDown, ThreadlensError } from "./errors.ts";
import { KIND_FIELD, newIdentity, registerReviver, remember, revive } from "./primitive.ts";
import { Queue } from "./queue.ts";
import type { TimeoutOptions } from "./validate.ts";

export interface PipeOptions {
  /** true (default): both ends send and receive; false: the first end only receives, the second only sends. */
  readonly duplex?: boolean;
  readonly name?: string;
}

interface Parts {
  readonly id: number;
  readonly name: string;
  readonly inbox: Queue | null;
  readonly outbox: Queue | null;
  readonly closed: Int32Array;
  readonly side: number;
}

export class Connection<T = unknown> {
  declare readonly [KIND_FIELD]: string;
  readonly id: number;
  readonly name: string;
  readonly inbox: Queue | null;
  readonly outbox: Queue | null;
  /** Shared words: whether end 0 / end 1 was closed. */
  readonly closed: Int32Array;
  readonly side: number;

  /** @internal Pipe() creates connections. */
  constructor(parts: Parts) {
    ({
      id: this.id,
      name: this.name,
      inbox: this.inbox,
      outbox: this.outbox,
      closed: this.closed,
      side: this.side,
    } = parts);
    remember(this, "Connection");
  }

  get readable(): boolean {
    return this.inbox !== null;
  }

  get writable(): boolean {
    return this.outbox !== null;
  }

  /** True once this end was closed (by any thread holding it). */
  get isClosed(): boolean {
    return Atomics.load(this.closed, this.side) === 1;
  }

  #checkOpen(api: string): void {
    if (this.isClosed) throw new ThreadlensError(`${this.name}.${api}: connection is closed`);
  }

  /** Sends a structured-cloneable value to the other end (never waits). */
  send(value: T): void {
    this.#checkOpen("send");
    if (this.outbox === null) throw new ThreadlensError(`${this.name} is read-only`);
    try {
      this.outbox.putSync(value);
    } catch (error) {
      if (error instanceof QueueShutDown)
        throw new BrokenPipeError(`${this.name}.send: the other end is closed`);
      throw error;
    }
  }

  /** Resolves the next value; rejects with EOFError once the other end is closed and drained. */
  async recv(options?: TimeoutOptions): Promise<T> {
    this.#checkOpen("recv");
    if (this.inbox === null) throw new ThreadlensError(`${this.name} is write-only`);
    try {
      return (await this.inbox.get(options)) as T;
    } catch (error) {
      throw this.#translate(error);
    }
  }

  recvSync(options?: TimeoutOptions): T {
    this.#checkOpen("recvSync");
    if (this.inbox === null) throw new ThreadlensError(`${this.name} is write-only`);
    try {
      return this.inbox.getSync(options) as T;
    } catch (error) {
      throw this.#translate(error);
    }
  }

  /** Whether recv() would not wait (a value is there, or the other end is closed). */
  poll(): boolean {
    if (this.inbox === null) return false;
    return this.inbox.qsize() > 0 || this.inbox.isShutDown;
  }

  /** Closes this end; the other end sees EOF after what was already sent. */
  close(): void {
    if (Atomics.exchange(this.closed, this.side, 1) === 1) return;
    // Inbox first: once the other end sees EOF, its send() already fails.
    this.inbox?.shutdown(true);
    this.outbox?.shutdown();
  }

  #translate(error: unknown): unknown {
    if (error instanceof QueueShutDown) {
      if (this.isClosed) return new ThreadlensError(`${this.name}: connection is closed`);
      return new EOFError(`${this.name}: the other end is closed`);
    }
    return error;
  }

  toString(): string {
    return `Connection(${this.name})`;
  }
}

/** Two connected ends: `const [a, b] = Pipe()`. */
export function Pipe<T = unknown>(options?: PipeOptions): [Connection<T>, Connection<T>] {
  const duplex = options?.duplex ?? true;
  const identity = newIdentity("Pipe", options?.name);
  const aToB = new Queue(0, { name: `${identity.name}[0→1]` });
  const bToA = duplex ? new Queue(0, { name: `${identity.name}[1→0]` }) : null;
  const closed = new Int32Array(new SharedArrayBuffer(8));
  const first = new Connection<T>({
    id: identity.id,
    name: `${identity.name}[0]`,
    inbox: duplex ? bToA : aToB,
    outbox: duplex ? aToB : null,
    closed,
    side: 0,
  });
  const second = new Connection<T>({
    id: newIdentity("Pipe", `${identity.name}[1]`, true).id,
    name: `${identity.name}[1]`,
    inbox: duplex ? aToB : null,
    outbox: duplex ? bToA : aToB,
    closed,
    side: 1,
  });
  return [first, second];
}

registerReviver(
  "Connection",
  (c) =>
    new Connection({
      id: c["id"] as number,
      name: c["name"] as string,
      inbox: revive(c["inbox"]) as Queue | null,
      outbox: revive(c["outbox"]) as Queue | null,
      closed: c["closed"] as Int32Array,
      side: c["side"] as number,
    }),
);
