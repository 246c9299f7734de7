// The recorder of a child process (protocol/processLink.ts): what its threads record goes to
// the root recorder, which analyses and reports the whole run. Nothing is analysed or reported
// here. When the root is gone (the program was stopped, its supervisor killed it), this
// process has no one to report to and no parent to serve: it ends at once.
import { connect, type Socket } from "node:net";
import { createInterface } from "node:readline";

/**
 * The root's recorder starts while its program runs: a child started at once may find no one
 * listening yet (no socket file, or not accepting). It tries again this often, this long.
 */
const CONNECT_RETRY_MS = 10;
const CONNECT_PATIENCE_MS = 10_000;
import type { MetaRecord, TraceEvent } from "../protocol/events.ts";
import {
  parseHubLine,
  type HubCommand,
  type ProcessLink,
  type RelayMessage,
} from "../protocol/processLink.ts";

export class ProcessRelay {
  #socket: Socket;
  /** What was sent before the connection was up (resent on a new try), then undefined. */
  #unconnected: string[] | undefined = [];
  #closing = false;
  readonly #socketPath: string;
  readonly #giveUpAt = performance.now() + CONNECT_PATIENCE_MS;
  #onConnected: () => void = () => undefined;
  /** Settles once connected, or once it gave up. */
  readonly #connected = new Promise<void>((resolve) => {
    this.#onConnected = resolve;
  });

  constructor(
    socketPath: string,
    epoch: number,
    script: string,
    link: ProcessLink | undefined,
    label: string | undefined,
    private readonly onCommand: (command: HubCommand) => void = () => undefined,
  ) {
    this.#socketPath = socketPath;
    this.#socket = this.#connect();
    // Written before the connection is up: the socket queues it, in order.
    this.#send({
      type: "hello",
      pid: process.pid,
      parentPid: process.ppid,
      epoch,
      script,
      link,
      label,
    });
  }

  #connect(): Socket {
    const socket = connect(this.#socketPath);
    // The root's commands (the debugger's pause) come back on the same connection.
    const commands = createInterface({ input: socket });
    commands.on("line", (line) => {
      const command = parseHubLine(line);
      if (command !== undefined) this.onCommand(command);
    });
    // The socket's errors are handled below (a retry, or the end): not the reader's to raise.
    commands.on("error", () => undefined);
    socket.once("connect", () => {
      this.#unconnected = undefined;
      this.#onConnected();
    });
    const orphaned = (): void => {
      this.#onConnected();
      if (!this.#closing) process.kill(process.pid, "SIGKILL");
    };
    socket.on("error", (error: NodeJS.ErrnoException) => {
      const notYet = error.code === "ENOENT" || error.code === "ECONNREFUSED";
      if (this.#unconnected === undefined || !notYet || performance.now() > this.#giveUpAt) {
        orphaned();
        return;
      }
      socket.removeAllListeners("close");
      setTimeout(() => {
        this.#socket = this.#connect();
        for (const line of this.#unconnected ?? []) this.#socket.write(line);
      }, CONNECT_RETRY_MS);
    });
    socket.on("close", orphaned);
    return socket;
  }

  #send(message: RelayMessage): void {
    const line = `${JSON.stringify(message)}\n`;
    this.#unconnected?.push(line);
    this.#socket.write(line);
  }

  addMeta(record: MetaRecord): void {
    this.#send({ type: "meta", record });
  }

  /** A drain's events; sent even when there are none, so the root knows how far this got. */
  addEvents(events: readonly TraceEvent[], now: number): void {
    this.#send({ type: "events", events, now });
  }

  /** This process's threads were told the pause of `generation` (the root's). */
  pauseApplied(generation: number): void {
    this.#send({ type: "pause-applied", generation });
  }

  /** A thread stopped for the pause of `generation` (the root's) at `site`. */
  parked(generation: number, thread: number, site: number): void {
    this.#send({ type: "parked", generation, thread, site });
  }

  /** The process exits: everything is sent, then the connection ends. */
  async finish(code: number): Promise<void> {
    this.#send({ type: "exit", code });
    await this.#connected;
    this.#closing = true;
    await new Promise<void>((resolve) => {
      this.#socket.end(resolve);
      this.#socket.once("error", () => resolve());
    });
  }
}
