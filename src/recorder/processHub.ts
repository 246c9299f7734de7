// The root recorder's side of the processes of a run (protocol/processLink.ts): it accepts the
// child processes' relays, maps their ids to ids of the whole run (the root's own ids stay
// as they are), names their threads after their process, shifts their times to the root's
// clock, and releases events of all processes in time order: a drain holds back what is later
// than the point every live relay has reported up to (relays report every 5 ms).
import { createServer, type Server, type Socket } from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";
import type { MetaRecord, TraceEvent } from "../protocol/events.ts";
import type { CutProcess } from "../protocol/report.ts";
import {
  parseRelayLine,
  type HubCommand,
  type ProcessLink,
  type RelayMessage,
} from "../protocol/processLink.ts";
import type { ParkedThread } from "../protocol/recorderControl.ts";
import { mergeByTime } from "../analysis/eventOrder.ts";
import { EVENT_TRAITS } from "../protocol/kinds.ts";
import { unreachable } from "../protocol/unreachable.ts";

/** Run-wide ids of child processes' threads and objects start here (the root's are below). */
const CHILD_THREAD_BASE = 1 << 20;
const CHILD_OBJECT_BASE = 1 << 30;
/** A relay silent for this long (stopped, or dying) no longer holds the others' events back. */
const STALE_MS = 500;

interface Relay {
  readonly socket: Socket;
  pid: number;
  name: string;
  link: ProcessLink | undefined;
  /** Added to the relay's times to get the root's. */
  offset: number;
  /** How far (root time) this relay has reported. */
  reached: number;
  heardAt: number;
  open: boolean;
  exitCode: number | undefined;
  main: number | undefined;
  readonly queue: TraceEvent[];
  /** Run-wide idents of its threads that started and have not exited. */
  readonly live: Set<number>;
  /** The latest pause its threads were told (generation) and when (performance.now()). */
  pauseApplied: { readonly generation: number; readonly at: number } | undefined;
}

/** A command as the child processes' relays read it: one JSON line (processLink.ts). */
function commandLine(command: HubCommand): string {
  return `${JSON.stringify(command)}\n`;
}

export class ProcessHub {
  readonly #server: Server;
  readonly #relays: Relay[] = [];
  readonly #threads = new Map<string, number>();
  readonly #objects = new Map<string, number>();
  readonly #names = new Map<string, number>();
  /** The threads of child processes (run-wide idents), each with its process's relay. */
  readonly #childThreads = new Map<number, Relay>();
  /** Main threads of child processes, by the ident their starter announced them with. */
  readonly #announcedProcesses = new Set<number>();
  /** The debugger's pause while it is in force. */
  #pauseInForce: HubCommand | undefined;
  /** Relays that closed without their process's exit: killed, or crashed. */
  readonly #cut: CutProcess[] = [];
  #rootQueue: TraceEvent[] = [];
  /**
   * The root's own stand-ins for primitives of other processes (one that came back in a queue
   * item): the stand-in's id → the run's id of the owner's object.
   */
  readonly #rootAliases = new Map<number, number>();
  /** Resolves once child processes can connect. */
  readonly listening: Promise<void>;
  #nextThread = CHILD_THREAD_BASE;
  #nextObject = CHILD_OBJECT_BASE;

  constructor(
    socketPath: string,
    private readonly rootPid: number,
    private readonly rootEpoch: number,
    private readonly addMeta: (record: MetaRecord) => void,
    private readonly nowMicros: () => number,
    /** A child's thread stopped for the debugger's pause (ids of the run). */
    private readonly onParked: (generation: number, thread: ParkedThread) => void = () => undefined,
  ) {
    this.#server = createServer((socket) => this.#accept(socket));
    this.listening = new Promise((resolve) => {
      this.#server.once("listening", resolve);
      // Without the socket the run still records this process; children then end themselves.
      this.#server.once("error", (error) => {
        process.stderr.write(`threadlens: cannot listen for child processes: ${String(error)}\n`);
        resolve();
      });
    });
    this.#server.listen(socketPath);
    this.#server.unref();
  }

  close(): void {
    this.#server.close();
  }

  /**
   * A record of the root process itself: undefined when it only says that one of its objects
   * stands for a primitive of another process (an origin), whose events are then that one's.
   */
  rootMeta(record: MetaRecord): MetaRecord | undefined {
    if (record.type === "thread" && record.pid !== undefined)
      this.#announcedProcesses.add(record.ident);
    if (record.type !== "object" || record.origin === undefined) return record;
    this.#rootAliases.set(record.id, this.#object(record.origin.pid, record.origin.id));
    return undefined;
  }

  #aliased(events: TraceEvent[]): TraceEvent[] {
    if (this.#rootAliases.size === 0) return events;
    return events.map((e) => {
      const alias = EVENT_TRAITS[e.kind].object === "primitive" && this.#rootAliases.get(e.object);
      return alias === undefined || alias === false ? e : { ...e, object: alias };
    });
  }

  /** The child processes that died without exiting so far (their recording is cut short). */
  cutProcesses(): readonly CutProcess[] {
    return this.#cut;
  }

  #accept(socket: Socket): void {
    let relay: Relay | undefined;
    socket.on("error", () => undefined);
    const lines = createInterface({ input: socket });
    lines.on("line", (line) => {
      const message = parseRelayLine(line);
      if (message === undefined) return;
      if (message.type === "hello") {
        relay = this.#hello(message, socket);
        if (this.#pauseInForce !== undefined) socket.write(commandLine(this.#pauseInForce));
      } else if (relay !== undefined) this.#receive(relay, message);
    });
    lines.on("close", () => {
      if (relay !== undefined) this.#closed(relay);
    });
  }

  /**
   * For a thread of a child process: when its process told its threads the pause of
   * `generation` (performance.now()), undefined while it has not yet (its recorder may not
   * even have connected); null for the root's own.
   */
  pauseAppliedAt(ident: number, generation: number): number | undefined | null {
    const relay = this.#childThreads.get(ident);
    if (relay === undefined) return this.#announcedProcesses.has(ident) ? undefined : null;
    return relay.pauseApplied?.generation === generation ? relay.pauseApplied.at : undefined;
  }

  /**
   * Tells every connected child process (the debugger's pause and continue); a pause in force
   * is told to each process that connects later too (one started, or slow to start its
   * recorder, before the pause).
   */
  command(command: HubCommand): void {
    this.#pauseInForce = command.type === "pause" ? command : undefined;
    const line = commandLine(command);
    for (const relay of this.#relays) if (relay.open) relay.socket.write(line);
  }

  #hello(m: Extract<RelayMessage, { type: "hello" }>, socket: Socket): Relay {
    const base = m.link?.name ?? m.label ?? path.basename(m.script).replace(/\.[cm]?[jt]sx?$/, "");
    const seen = this.#names.get(base) ?? 0;
    this.#names.set(base, seen + 1);
    const relay: Relay = {
      socket,
      pid: m.pid,
      name: seen === 0 || m.link !== undefined ? base : `${base}-${seen + 1}`,
      link: m.link,
      offset: Math.round((m.epoch - this.rootEpoch) * 1000),
      reached: 0,
      heardAt: performance.now(),
      open: true,
      exitCode: undefined,
      main: undefined,
      queue: [],
      live: new Set(),
      pauseApplied: undefined,
    };
    this.#relays.push(relay);
    return relay;
  }

  #thread(pid: number, local: number): number {
    if (pid === this.rootPid || local === 0) return local;
    const key = `${pid}:${local}`;
    let id = this.#threads.get(key);
    if (id === undefined) {
      id = this.#nextThread++;
      this.#threads.set(key, id);
    }
    return id;
  }

  #object(pid: number, local: number): number {
    if (pid === this.rootPid || local === 0) return local;
    const key = `${pid}:${local}`;
    let id = this.#objects.get(key);
    if (id === undefined) {
      id = this.#nextObject++;
      this.#objects.set(key, id);
    }
    return id;
  }

  #receive(relay: Relay, m: RelayMessage): void {
    relay.heardAt = performance.now();
    if (m.type === "meta") {
      const record = this.#mapMeta(relay, m.record);
      if (m.record.type === "thread")
        this.#childThreads.set(this.#thread(relay.pid, m.record.ident), relay);
      if (record !== undefined) this.addMeta(record);
    } else if (m.type === "events") {
      for (const e of m.events) {
        const mapped = this.#mapEvent(relay, e);
        if (mapped !== undefined) relay.queue.push(mapped);
      }
      relay.reached = Math.max(relay.reached, m.now + relay.offset);
    } else if (m.type === "exit") relay.exitCode = m.code;
    else if (m.type === "pause-applied")
      relay.pauseApplied = { generation: m.generation, at: performance.now() };
    else if (m.type === "parked") {
      const thread = this.#thread(relay.pid, m.thread);
      this.onParked(m.generation, { thread, site: this.#object(relay.pid, m.site) });
    }
  }

  /** The process is gone: whatever of it had not ended ends now (it was killed, or exited). */
  #closed(relay: Relay): void {
    relay.open = false;
    // An exit sends everything and says so; a death (SIGKILL, SIGTERM, a crash) says nothing.
    if (relay.exitCode === undefined) this.#cut.push({ name: relay.name, pid: relay.pid });
    const time = Math.max(relay.reached, relay.queue.at(-1)?.time ?? 0);
    // After a death, flagged: those threads were still running when the process was killed.
    const died = relay.exitCode === undefined;
    for (const thread of relay.live) {
      const code = thread === relay.main ? (relay.exitCode ?? -1) : 0;
      relay.queue.push({ kind: "thread-exit", thread, object: code, site: 0, time, flag: died });
    }
    relay.live.clear();
  }

  /** undefined: the record only says what a child's id stands for (an object of another process). */
  #mapMeta(relay: Relay, r: MetaRecord): MetaRecord | undefined {
    const pid = relay.pid;
    switch (r.type) {
      case "thread": {
        const link = relay.link;
        if (r.pid !== undefined) {
          // A Process this child started, announced by its parent (trace.ts traceProcessStart).
          const ident = this.#thread(pid, r.ident);
          this.#announcedProcesses.add(ident);
          return { ...r, ident, parent: this.#thread(pid, r.parent) };
        }
        if (r.kind === "main" && relay.main === undefined) {
          // The child's main thread is the one its parent named when it started the Process
          // (and announced then: its own record adds nothing).
          const id =
            link === undefined ? this.#thread(pid, r.ident) : this.#thread(link.pid, link.ident);
          this.#threads.set(`${pid}:${r.ident}`, id);
          relay.main = id;
          if (link !== undefined && link.selfAnnounced !== true) return undefined;
          const parent = link === undefined ? 0 : this.#thread(link.pid, link.starter);
          return { ...r, ident: id, parent, name: relay.name, pid };
        }
        return {
          ...r,
          pid,
          ident: this.#thread(pid, r.ident),
          parent: this.#thread(pid, r.parent),
          name: `${relay.name}/${r.name}`,
        };
      }
      case "object":
        if (r.origin !== undefined) {
          // A primitive of another process, as this one sees it: the owner's object of the run.
          this.#objects.set(`${pid}:${r.id}`, this.#object(r.origin.pid, r.origin.id));
          return undefined;
        }
        return { ...r, id: this.#object(pid, r.id), site: this.#object(pid, r.site) };
      case "site":
        return { ...r, id: this.#object(pid, r.id) };
      case "dropped":
        return { ...r, thread: this.#thread(pid, r.thread) };
    }
  }

  /** undefined: an event recorded already by another process. */
  #mapEvent(relay: Relay, e: TraceEvent): TraceEvent | undefined {
    const pid = relay.pid;
    const thread = this.#thread(pid, e.thread);
    let object = e.object;
    switch (e.kind) {
      case "thread-start":
        relay.live.add(thread);
        // A Process's parent recorded its start already (trace.ts traceProcessStart).
        if (thread === relay.main && relay.link !== undefined) {
          if (relay.link.selfAnnounced !== true) return undefined;
          object = this.#thread(relay.link.pid, relay.link.starter);
        } else object = this.#thread(pid, object);
        break;
      case "thread-exit":
        relay.live.delete(thread);
        break;
      case "join-begin":
      case "join-end":
      case "terminate":
        object = this.#thread(pid, object);
        break;
      case "loop-idle":
        break;
      case "acquire-request":
      case "acquire-timeout":
      case "acquired":
      case "bad-release":
      case "clear":
      case "create":
      case "get":
      case "notify":
      case "over-release":
      case "pool-misuse":
      case "put":
      case "release":
      case "set":
      case "task-done":
      case "wait-begin":
      case "wait-end":
        object = this.#object(pid, object);
        break;
      default:
        unreachable(e);
    }
    return { ...e, thread, object, site: this.#object(pid, e.site), time: e.time + relay.offset };
  }

  /**
   * The events to analyse now, all processes merged in time order: the root's `events` (this
   * drain's) with the relays', up to what every live relay has reported; the rest waits.
   * `all`: the run ends, release everything.
   */
  take(rootEvents: TraceEvent[], all = false): TraceEvent[] {
    const events = this.#aliased(rootEvents);
    if (this.#relays.length === 0 && this.#rootQueue.length === 0) return events;
    this.#rootQueue =
      this.#rootQueue.length === 0 ? events : mergeByTime([this.#rootQueue, events]);
    const heardSince = performance.now() - STALE_MS;
    let until = all ? Infinity : this.nowMicros();
    for (const relay of this.#relays) {
      if (relay.open && relay.heardAt >= heardSince) until = Math.min(until, relay.reached);
    }
    const ready: TraceEvent[][] = [];
    for (const queue of [this.#rootQueue, ...this.#relays.map((r) => r.queue)]) {
      let n = 0;
      while (n < queue.length && (queue[n]?.time ?? 0) <= until) n++;
      if (n > 0) ready.push(queue.splice(0, n));
    }
    this.#relays.splice(
      0,
      this.#relays.length,
      ...this.#relays.filter((r) => r.open || r.queue.length > 0),
    );
    return mergeByTime(ready);
  }
}
