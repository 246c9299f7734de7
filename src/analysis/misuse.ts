// Misuse findings (DESIGN 5.3) other than self-deadlock: the runtime's misuse events, threads
// never joined, and locks a thread still held when it exited (and nobody released later).
import type { TraceEvent } from "../protocol/events.ts";
import { isMisuseEvent, traitsOf, type MisuseEventKind } from "../protocol/kinds.ts";
import type { Finding, FindingSite } from "../protocol/report.ts";
import { findingSite, siteText, type Dictionary } from "./dictionary.ts";
import type { AnalysisPass } from "./pass.ts";
import type { Hold, RunState } from "./runState.ts";
import { unreachable } from "../protocol/unreachable.ts";

/** Each misuse event is a finding kind of the same name (misuseFinding's result says so). */
type MisuseKind = MisuseEventKind;

interface MisuseGroup {
  readonly kind: MisuseKind;
  readonly object: number;
  readonly site: number;
  readonly threads: number[];
}

interface ExitHold {
  readonly thread: number;
  readonly hold: Hold;
}

export class MisuseCollector implements AnalysisPass {
  /** One finding per kind, object and call site. */
  readonly #misuses = new Map<string, MisuseGroup>();
  readonly #exitHolds: ExitHold[] = [];
  /** Where each thread last tried to join another (a join with timeout that gave up). */
  readonly #joinSites = new Map<number, { readonly joiner: number; readonly site: number }>();
  /** Threads still running when their process died (killed): nobody could join them. */
  readonly #diedWithProcess = new Set<number>();

  constructor(
    readonly state: RunState,
    readonly cwd: string,
  ) {}

  /** Call before the state applies `event`. */
  observe(event: TraceEvent): void {
    const { state } = this;
    if (isMisuseEvent(event.kind)) {
      this.#misuse(event.kind, event);
      return;
    }
    switch (event.kind) {
      case "thread-exit": {
        // A worker's end can be said twice: by itself, and by its parent seeing its 'exit'.
        const thread = state.threads.get(event.thread);
        if (thread === undefined || thread.exited) break;
        if (event.flag) this.#diedWithProcess.add(event.thread);
        for (const hold of thread.held.values()) {
          // Locks only (a semaphore unit is not owned); an object without its record is not judged.
          const known = state.dict.objectKind(hold.object) !== undefined;
          if (known && state.dict.traits(hold.object).lock)
            this.#exitHolds.push({ thread: event.thread, hold });
        }
        break;
      }
      case "join-begin":
        if (event.site !== 0)
          this.#joinSites.set(event.object, { joiner: event.thread, site: event.site });
        break;
      case "acquire-request":
      case "acquire-timeout":
      case "acquired":
      case "clear":
      case "create":
      case "get":
      case "join-end":
      case "loop-idle":
      case "notify":
      case "put":
      case "release":
      case "set":
      case "task-done":
      case "terminate":
      case "thread-start":
      case "wait-begin":
      case "wait-end":
        break;
      default:
        unreachable(event.kind);
    }
  }

  #misuse(kind: MisuseKind, event: TraceEvent): void {
    const key = `${kind}|${event.object}|${event.site}`;
    const group = this.#misuses.get(key) ?? {
      kind,
      object: event.object,
      site: event.site,
      threads: [],
    };
    if (!group.threads.includes(event.thread)) group.threads.push(event.thread);
    this.#misuses.set(key, group);
  }

  findings(): Finding[] {
    const { state, cwd } = this;
    return [
      ...[...this.#misuses.values()].map((group) => misuseFinding(state.dict, cwd, group)),
      ...this.#heldAtExit(state, cwd),
      ...this.#unjoined(state, cwd),
    ];
  }

  #heldAtExit(state: RunState, cwd: string): Finding[] {
    const { dict } = state;
    // Still held now: a plain Lock handed to another thread for release is not a leak. A
    // lock main still holds when the program ends harms nobody unless another logical thread
    // ever wanted it (DESIGN 5.6; a worker that exits holding a lock leaves it to the rest).
    const leaked = this.#exitHolds.filter(({ thread, hold }) => {
      const object = state.objects.get(hold.object);
      if (object?.holds.includes(hold) !== true) return false;
      return object.shared || dict.thread(thread)?.kind !== "main";
    });
    return leaked.map(({ thread, hold }) => {
      const lock = dict.objectName(hold.object);
      const name = dict.threadName(thread);
      const where = siteText(dict, cwd, hold.site);
      const site = findingSite(dict, cwd, hold.site, thread, "holds");
      return {
        kind: "lock-held-at-exit",
        message:
          `lock-held-at-exit: ${name} exited holding ${lock}` +
          `${where === "" ? "" : ` (taken at ${where})`}; no other thread can take it any more`,
        locks: [lock],
        threads: [name],
        sites: site === undefined ? [] : [site],
        suggestions: [],
      };
    });
  }

  #unjoined(state: RunState, cwd: string): Finding[] {
    const { dict } = state;
    const findings: Finding[] = [];
    // Per process (a child process's threads carry its pid): whether its main thread exited.
    const mainExited = new Map<number | undefined, boolean>();
    for (const t of dict.threads())
      if (t.kind === "main") mainExited.set(t.pid, state.threads.get(t.ident)?.exited === true);
    for (const info of dict.threads()) {
      if (info.kind !== "worker" || info.daemon || state.joined.has(info.ident)) continue;
      // Killed running with its process (thread-stream's suite kills a child whose worker it
      // keeps alive on purpose): the program had no chance to join it.
      if (this.#diedWithProcess.has(info.ident)) continue;
      const status = state.threads.get(info.ident);
      if (status?.started !== true) continue;
      // A thread still alive while the main thread of its process is too: the run was cut short
      // (stopped on a deadlock, that process killed by a signal), it did not end without a join.
      if (!status.exited && mainExited.get(info.pid) !== true) continue;
      // Started by a thread we know (not a plain Worker from outside threadlens' Thread).
      const parent = dict.thread(info.parent);
      if (parent === undefined) continue;
      const attempt = this.#joinSites.get(info.ident);
      const site =
        attempt === undefined
          ? undefined
          : findingSite(dict, cwd, attempt.site, attempt.joiner, "waits");
      findings.push({
        kind: "unjoined-thread",
        message:
          `unjoined-thread: ${info.name} (started by ${parent.name}) was never joined` +
          `${attempt === undefined ? "" : " (a join timed out)"}: call join() so that its end, and ` +
          `any error it ended with, is waited for`,
        locks: [],
        threads: [info.name],
        sites: site === undefined ? [] : [site],
        suggestions: [],
      });
    }
    return findings;
  }
}

function misuseFinding(dict: Dictionary, cwd: string, group: MisuseGroup): Finding {
  const object = dict.objectName(group.object);
  const kind = dict.objectKind(group.object);
  const threads = group.threads.map((t) => dict.threadName(t));
  const who = threads.join(", ");
  const sites: FindingSite[] = [];
  const site = findingSite(dict, cwd, group.site, group.threads[0] ?? 0, "misuse");
  if (site !== undefined) sites.push(site);
  let message: string;
  switch (group.kind) {
    case "bad-release":
      message =
        kind !== undefined && traitsOf(kind).holderReleases
          ? `bad-release: ${who} releases ${object}, which it does not hold`
          : `bad-release: ${who} releases ${object}, which is not held`;
      break;
    case "over-release": {
      const limit = dict.object(group.object)?.capacity;
      message =
        `over-release: ${who} releases ${kind ?? "BoundedSemaphore"} ${object} above its ` +
        `initial value${limit === undefined ? "" : ` ${limit}`}`;
      break;
    }
    case "pool-misuse":
      message = `pool-misuse: ${who} calls ${object}.join() before ${object}.close()`;
      break;
    default:
      return unreachable(group.kind);
  }
  return { kind: group.kind, message, locks: [object], threads, sites, suggestions: [] };
}
