// The recorder of a child process (protocol/processLink.ts): what its threads record goes to
// the root recorder, which analyses and reports the whole run. Nothing is analysed or reported
// here. When the root is gone (the program was stopped, its supervisor killed it), this
// process has no one to report to and no parent to serve: it ends at once.
import { connect, type Socket } from "node:net";
import type { MetaRecord, TraceEvent } from "../protocol/events.ts";
import type { ProcessLink, RelayMessage } from "../protocol/processLink.ts";

export class ProcessRelay {
  readonly #socket: Socket;
  #closing = false;

  constructor(
    socketPath: string,
    epoch: number,
    script: string,
    link: ProcessLink | undefined,
    label: string | undefined,
  ) {
    this.#socket = connect(socketPath);
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
    const orphaned = (): void => {
      if (!this.#closing) process.kill(process.pid, "SIGKILL");
    };
    this.#socket.on("error", orphaned);
    this.#socket.on("close", orphaned);
  }

  #send(message: RelayMessage): void {
    this.#socket.write(`${JSON.stringify(message)}\n`);
  }

  addMeta(record: MetaRecord): void {
    this.#send({ type: "meta", record });
  }

  /** A drain's events; sent even when there are none, so the root knows how far this got. */
  addEvents(events: readonly TraceEvent[], now: number): void {
    this.#send({ type: "events", events, now });
  }

  /** The process exits: everything is sent, then the connection ends. */
  async finish(code: number): Promise<void> {
    this.#closing = true;
    this.#send({ type: "exit", code });
    await new Promise<void>((resolve) => {
      this.#socket.end(resolve);
      this.#socket.once("error", () => resolve());
    });
  }
}
