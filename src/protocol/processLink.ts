// How the recorders of a program's processes make one recording (DESIGN 3.3). The program's
// first process (the root) runs the recorder that analyses and reports; it listens on a Unix
// socket in a private directory (mode 0700: no TCP port, nothing another local user can
// reach), named in the environment that every process under the preload inherits. The
// recorder of every other process is a relay: it drains its own threads' rings as usual and
// sends what it read to the root, one JSON message a line, ids as its process knows them; the
// root maps them to ids of the whole run and shifts times by the two processes' clock offset.
import { eventFromJson, type MetaRecord, type TraceEvent } from "./events.ts";

/** The root recorder's socket path (set by the root's preload, inherited by every child). */
export const ENV_RECORDER_SOCKET = "THREADLENS_RECORDER_SOCKET";
/**
 * A threadlens Process tells its child which logical thread it is in the parent's numbering
 * (JSON ProcessLink; taken out of the environment by the child's preload).
 */
export const ENV_PROCESS_LINK = "THREADLENS_PROCESS_LINK";

/** The recorder's part in the run's processes (from the preload). */
export interface ProcessSettings {
  /** The root: the socket path to listen on. */
  readonly listen?: string | undefined;
  /** A child process: the root's socket path to relay to. */
  readonly relayTo?: string | undefined;
  /** A Process's child: who it is in its parent's terms. */
  readonly link?: ProcessLink | undefined;
  /** Another child's name, where it has one of its own (a cluster worker: `cluster-worker-<id>`). */
  readonly label?: string | undefined;
}

/** Who a Process's child is, in its parent's terms. */
export interface ProcessLink {
  /** The parent's pid. */
  readonly pid: number;
  /** The logical thread ident the parent gave the child (its joins and start name it). */
  readonly ident: number;
  /** The parent's logical thread that started the child. */
  readonly starter: number;
  /** The Process's name: the child's main thread's, and its other threads' prefix. */
  readonly name: string;
  /**
   * The parent could not announce the child (a spawnSync: its pid is known only at its end):
   * the child's own record and start stand, under the link's name and ident.
   */
  readonly selfAnnounced?: boolean;
}

export type RelayMessage =
  /** First on every connection. `epoch`: the process' clock origin, ms since the Unix epoch. */
  | {
      readonly type: "hello";
      readonly pid: number;
      readonly parentPid: number;
      readonly epoch: number;
      readonly script: string;
      readonly link: ProcessLink | undefined;
      readonly label?: string | undefined;
    }
  | { readonly type: "meta"; readonly record: MetaRecord }
  /** A drain's events (times in the relay's clock) and its clock reading at the drain. */
  | { readonly type: "events"; readonly events: readonly TraceEvent[]; readonly now: number }
  /** The process ends with this code (everything it recorded was sent before). */
  | { readonly type: "exit"; readonly code: number }
  /**
   * The process's threads were told the pause of `generation` (its pause word is set): from
   * now on, each parks at its next synchronization point.
   */
  | { readonly type: "pause-applied"; readonly generation: number }
  /** A thread of the process stopped at a synchronization point for the debugger's pause. */
  | {
      readonly type: "parked";
      readonly generation: number;
      readonly thread: number;
      readonly site: number;
    };

/**
 * What the root's recorder tells a child's over the same connection: the debugger's pause
 * (with the root's generation, which the child's threads then report as theirs) and its end.
 */
export type HubCommand =
  { readonly type: "pause"; readonly generation: number } | { readonly type: "continue" };

/** Parses one line the root sent; undefined for anything else. */
export function parseHubLine(line: string): HubCommand | undefined {
  try {
    const value = JSON.parse(line) as { type?: unknown; generation?: unknown };
    if (value.type === "continue") return { type: "continue" };
    if (value.type === "pause" && typeof value.generation === "number")
      return { type: "pause", generation: value.generation };
  } catch {
    // not JSON: ignored
  }
  return undefined;
}

/** Parses one line of a relay connection; undefined for anything that is not a message. */
export function parseRelayLine(line: string): RelayMessage | undefined {
  try {
    const value: unknown = JSON.parse(line);
    if (value === null || typeof value !== "object") return undefined;
    const type = (value as { type?: unknown }).type;
    if (type === "events") {
      // Decoded here like the recorder's own rings: what is not an event is dropped.
      const { events, now } = value as { events?: unknown; now?: unknown };
      if (!Array.isArray(events) || typeof now !== "number") return undefined;
      return { type, events: events.flatMap((e) => eventFromJson(e) ?? []), now };
    }
    if (type === "pause-applied") {
      const { generation } = value as Record<string, unknown>;
      return typeof generation === "number" ? { type, generation } : undefined;
    }
    if (type === "parked") {
      const { generation, thread, site } = value as Record<string, unknown>;
      if (typeof generation !== "number" || typeof thread !== "number" || typeof site !== "number")
        return undefined;
      return { type, generation, thread, site };
    }
    return type === "hello" || type === "meta" || type === "exit"
      ? (value as RelayMessage)
      : undefined;
  } catch {
    return undefined;
  }
}
