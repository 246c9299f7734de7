// The analysis engine's entry points: analyzeTrace for a finished recording, LiveAnalysis for
// the recorder's stream (actual deadlocks and hangs reported once stable, the rest at the
// end). Pure: events in, findings out; source text comes from the injected readSource.
import type { MetaRecord, Trace, TraceEvent } from "../protocol/events.ts";
import type { Finding, LockStats, ReportThread } from "../protocol/report.ts";
import { deadlockFinding } from "./deadlockReport.ts";
import type { DeclaredOrder } from "./declaredOrder.ts";
import { Dictionary } from "./dictionary.ts";
import { mergeByHost } from "./eventOrder.ts";
import { drainedHosts, drainedWaitsFinding } from "./drainedWaits.ts";
import { findHang, hangFinding } from "./hang.ts";
import { HappensBefore } from "./happensBefore.ts";
import { LockOrderGraph } from "./lockOrderGraph.ts";
import { LockOrderPass } from "./lockOrderPass.ts";
import { LockStatsCollector } from "./lockStats.ts";
import { MisuseCollector } from "./misuse.ts";
import type { AnalysisPass, RunEnd } from "./pass.ts";
import { buildReportThreads } from "./reportThreads.ts";
import { RunState } from "./runState.ts";
import { timeoutFinding } from "./timeoutReport.ts";
import type { ReadSource } from "./sourceEdits.ts";
import type { SuggestionContext } from "./suggestions.ts";
import { findActualDeadlocks } from "./waitForGraph.ts";

export interface AnalysisOptions {
  /** Finding and report paths are relative to this directory. */
  readonly cwd: string;
  /** Source text by absolute path, for the fix edits; none means suggestions without edits. */
  readonly readSource?: ReadSource;
  /** Longest lock-order cycle searched (default 8, never below 6). */
  readonly maxCycleLength?: number;
  /**
   * Lock orders declared elsewhere (`// threadlens: order a < b`), enforced in addition to
   * those declared in the sources of the run (read through readSource).
   */
  readonly declaredOrders?: readonly DeclaredOrder[];
}

export interface LiveAnalysisOptions extends AnalysisOptions {
  /** A deadlock is reported once unchanged this long (µs, default 30 ms). */
  readonly stableMicros?: number;
  /** A hang is reported once unchanged this long (µs, default 300 ms). */
  readonly hangMicros?: number;
}

/** A deadlock or hang present now. */
interface Blocked {
  readonly key: string;
  /** Its lock set, for dropping the same cycle from the potential deadlocks. */
  readonly lockSet: string | undefined;
  /** Time of the last event of the threads involved (the whole run's, for a hang). */
  readonly since: number;
  readonly isHang: boolean;
  readonly finding: () => Finding;
}

/** Everything the analysis keeps, fed one event at a time. */
class Analyzer {
  readonly dict = new Dictionary();
  readonly state = new RunState(this.dict);
  readonly clocks = new HappensBefore();
  readonly lockOrder = new LockOrderGraph(this.dict);
  readonly lockStats = new LockStatsCollector();
  readonly ctx: SuggestionContext;
  /**
   * The passes, in the order they see each event (the lock-order pass reads the clocks), all
   * before the run state applies it; their findings come in this order too.
   */
  readonly passes: readonly AnalysisPass[];

  constructor(readonly options: AnalysisOptions) {
    this.ctx = {
      dict: this.dict,
      cwd: options.cwd,
      readSource: options.readSource,
      lockOrder: this.lockOrder,
    };
    this.passes = [
      this.clocks,
      new LockOrderPass(this.lockOrder, this.state, this.clocks, this.ctx, options),
      new MisuseCollector(this.state, options.cwd),
      this.lockStats,
    ];
  }

  apply(event: TraceEvent): void {
    for (const pass of this.passes) pass.observe(event);
    this.state.apply(event);
  }

  /** Deadlocks, self-deadlocks and a hang in the current state. */
  blocked(): Blocked[] {
    const { state, ctx } = this;
    const deadlocks = findActualDeadlocks(state);
    const found: Blocked[] = deadlocks.cycles.map((cycle) => ({
      key: cycle.key,
      lockSet: cycle.lockSet,
      since: Math.max(...cycle.members.map((t) => state.threads.get(t)?.lastTime ?? 0)),
      isHang: false,
      finding: () => deadlockFinding(state, cycle, ctx),
    }));
    for (const [host, waits] of drainedHosts(state)) {
      found.push({
        key: `drained:${host}`,
        lockSet: undefined,
        // Final: the thread has ended, so nothing can change it any more.
        since: 0,
        isHang: false,
        finding: () => drainedWaitsFinding(state, host, waits, ctx),
      });
    }
    const hang = findHang(state, deadlocks);
    if (hang !== undefined) {
      found.push({
        key: hang.key,
        lockSet: undefined,
        since: state.lastTime,
        isHang: true,
        finding: () => hangFinding(state, hang, ctx),
      });
    }
    return found;
  }

  /** The passes' findings: potential deadlocks (minus those that did deadlock), misuse, ... */
  rest(deadlockLockSets: ReadonlySet<string>): Finding[] {
    const end: RunEnd = { deadlockLockSets };
    return this.passes.flatMap((pass) => pass.findings?.(end) ?? []);
  }
}

/** Everything found in a finished recording, deadlocks and hangs at its end included. */
export function analyzeTrace(trace: Trace, options: AnalysisOptions): Finding[] {
  const analyzer = replay(trace, options);
  const blocked = analyzer.blocked();
  const lockSets = new Set(blocked.flatMap((b) => (b.lockSet === undefined ? [] : [b.lockSet])));
  return [...blocked.map((b) => b.finding()), ...analyzer.rest(lockSets)];
}

/** The report's threads at the end of a recording. */
export function reportThreadsOf(trace: Trace, options: { readonly cwd: string }): ReportThread[] {
  const analyzer = replay(trace, options);
  return buildReportThreads(analyzer.state, options.cwd);
}

function replay(trace: Trace, options: AnalysisOptions): Analyzer {
  const analyzer = new Analyzer(options);
  for (const record of trace.meta) analyzer.dict.add(record);
  for (const event of mergeByHost(trace.events, analyzer.dict)) analyzer.apply(event);
  return analyzer;
}

const DEFAULT_STABLE_MICROS = 30_000;
const DEFAULT_HANG_MICROS = 300_000;
/** A gap this long between two checks means the recorder was starved of CPU. */
const STARVED_CHECK_MICROS = 100_000;

/**
 * The online analysis: feed it the recorder's dictionary records and event batches, call
 * check() periodically (every ~10 ms) and finish() at the end. Times are the events' clock
 * (µs since the program started).
 */
export class LiveAnalysis {
  readonly #analyzer: Analyzer;
  readonly #stableMicros: number;
  readonly #hangMicros: number;
  /** Keys of the deadlocks and hangs already returned. */
  readonly #reported = new Set<string>();
  /** Lock sets of the deadlocks already returned. */
  readonly #reportedLockSets = new Set<string>();
  /** The hang of the last checks, stable no earlier than `since` (see check()). */
  #hangSeen: { readonly key: string; readonly since: number } | undefined;
  #lastCheck: number | undefined;

  constructor(options: LiveAnalysisOptions) {
    this.#analyzer = new Analyzer(options);
    this.#stableMicros = options.stableMicros ?? DEFAULT_STABLE_MICROS;
    this.#hangMicros = options.hangMicros ?? DEFAULT_HANG_MICROS;
  }

  add(meta: MetaRecord): void {
    this.#analyzer.dict.add(meta);
  }

  /**
   * A batch as the recorder drained it: already merged across OS threads by time with each
   * thread's recording order kept (a task's dictionary record may arrive after its first
   * events, so the batch is not regrouped here); applied after earlier batches.
   */
  addEvents(events: readonly TraceEvent[]): void {
    for (const event of events) this.#analyzer.apply(event);
  }

  /**
   * Actual deadlocks and hangs present now and unchanged for stableMicros (hangMicros for a
   * hang), each returned once.
   */
  check(nowMicros: number): Finding[] {
    // A recorder starved of CPU (hundreds of busy threads on two cores) wakes to a state that
    // threads descheduled as long have not published yet; the last event's time alone would
    // call that moment stable. After such a gap a hang is watched for a while more.
    const starved =
      this.#lastCheck !== undefined && nowMicros - this.#lastCheck > STARVED_CHECK_MICROS;
    this.#lastCheck = nowMicros;
    const found: Finding[] = [];
    let hangKey: string | undefined;
    for (const blocked of this.#analyzer.blocked()) {
      if (this.#reported.has(blocked.key)) continue;
      let since = blocked.since;
      if (blocked.isHang) {
        hangKey = blocked.key;
        if (starved || this.#hangSeen?.key !== blocked.key) {
          const watchFrom = starved ? nowMicros - this.#hangMicros + STARVED_CHECK_MICROS : 0;
          this.#hangSeen = { key: blocked.key, since: watchFrom };
        }
        since = Math.max(since, this.#hangSeen?.since ?? 0);
      }
      const needed = blocked.isHang ? this.#hangMicros : this.#stableMicros;
      if (nowMicros - since < needed) continue;
      found.push(this.#take(blocked));
    }
    if (hangKey === undefined) this.#hangSeen = undefined;
    return found;
  }

  /** Everything not returned yet: deadlocks and hangs at the end, potential deadlocks, misuse. */
  finish(): Finding[] {
    // One hang per run: the program is stopped on the first one, and stopping it may change
    // which threads are blocked.
    const hangReported = [...this.#reported].some((key) => key.startsWith("hang:"));
    const found = this.#analyzer
      .blocked()
      .filter((b) => !this.#reported.has(b.key) && !(b.isHang && hangReported))
      .map((b) => this.#take(b));
    return [...found, ...this.#analyzer.rest(this.#reportedLockSets)];
  }

  /** The report's threads now: state, and the stack where each one is blocked or was seen. */
  threads(): ReportThread[] {
    return buildReportThreads(this.#analyzer.state, this.#analyzer.options.cwd);
  }

  /** Per lock and semaphore: holders, waiters, contention, hold and wait times (lockStats.ts). */
  lockStats(): LockStats[] {
    return this.#analyzer.lockStats.stats(this.#analyzer.dict);
  }

  /**
   * The hang finding for a program stopped by `--timeout`: every live thread and where it is.
   * Counts as the run's hang (finish() reports no other).
   */
  timeoutFinding(timeoutMs: number): Finding {
    this.#reported.add(`hang:timeout`);
    return timeoutFinding(this.#analyzer.state, timeoutMs, this.#analyzer.ctx);
  }

  /** Events lost to full rings, as the dictionary's "dropped" records tell. */
  get droppedEvents(): number {
    return this.#analyzer.dict.droppedEvents;
  }

  #take(blocked: Blocked): Finding {
    this.#reported.add(blocked.key);
    if (blocked.lockSet !== undefined) this.#reportedLockSets.add(blocked.lockSet);
    return blocked.finding();
  }
}
