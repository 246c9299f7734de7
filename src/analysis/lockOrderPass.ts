// The lock-order pass: records the lock-order edges of each acquisition (lockOrderGraph.ts)
// and, at the end, reports the graph's potential deadlocks (potentialDeadlocks.ts) and the
// acquisitions against a declared order (declaredOrderFindings.ts).
import type { TraceEvent } from "../protocol/events.ts";
import type { Finding } from "../protocol/report.ts";
import type { DeclaredOrder } from "./declaredOrder.ts";
import { declaredOrderFindings, declaredOrdersInSources } from "./declaredOrderFindings.ts";
import type { HappensBefore } from "./happensBefore.ts";
import type { LockOrderGraph } from "./lockOrderGraph.ts";
import type { AnalysisPass, RunEnd } from "./pass.ts";
import { findPotentialDeadlocks, potentialDeadlockFinding } from "./potentialDeadlocks.ts";
import type { RunState } from "./runState.ts";
import type { SuggestionContext } from "./suggestions.ts";

export interface LockOrderPassOptions {
  /** Longest lock-order cycle searched (default 8, never below 6). */
  readonly maxCycleLength?: number | undefined;
  /** Lock orders declared elsewhere, enforced besides those in the run's sources. */
  readonly declaredOrders?: readonly DeclaredOrder[] | undefined;
}

export class LockOrderPass implements AnalysisPass {
  constructor(
    readonly graph: LockOrderGraph,
    readonly state: RunState,
    readonly clocks: HappensBefore,
    readonly ctx: SuggestionContext,
    readonly options: LockOrderPassOptions,
  ) {}

  observe(event: TraceEvent): void {
    this.graph.observe(event, this.state, this.clocks);
  }

  findings(end: RunEnd): Finding[] {
    const { graph, ctx } = this;
    const potentials = findPotentialDeadlocks(graph, {
      excludeLockSets: end.deadlockLockSets,
      maxCycleLength: this.options.maxCycleLength,
    });
    const orders = [
      ...(this.options.declaredOrders ?? []),
      ...declaredOrdersInSources(graph, ctx.readSource),
    ];
    const reportedCycles = [
      ...[...end.deadlockLockSets].map((set) => set.split(",").map(Number)),
      ...potentials.map((p) => p.locks),
    ];
    return [
      ...potentials.map((p) => potentialDeadlockFinding(p, ctx)),
      ...declaredOrderFindings(graph, ctx, { orders, reportedCycles }),
    ];
  }
}
