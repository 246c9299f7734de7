// Property tests: simulated runs under a random scheduler. Threads that take random subsets of
// locks in ascending order (releasing in any order, with some joins) never produce a finding;
// one pair taken in inverse order by two threads that can overlap always produces a potential
// deadlock over that pair, and none when the two are ordered by start/join.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { analyzeTrace } from "../../../src/analysis/index.ts";
import type { Finding } from "../../../src/protocol/report.ts";
import { CWD, TraceBuilder } from "./traceBuilder.ts";

/** A critical section: locks (by index) taken in this order, released in `releaseOrder`. */
interface Section {
  readonly take: readonly number[];
  readonly releaseOrder: readonly number[];
  /** Taken all at once when every lock is free (a collision-free inversion). */
  readonly atomic?: boolean;
}

interface Plan {
  readonly lockCount: number;
  readonly threads: readonly (readonly Section[])[];
  /** Main's script: start thread i, or join thread i (blocks until it ended). */
  readonly main: readonly (readonly ["start" | "join", number])[];
  /** Scheduler choices, one per step (0 once used up). */
  readonly choices: readonly number[];
}

type Op =
  | { readonly kind: "take" | "release"; readonly lock: number }
  | { readonly kind: "atomic"; readonly section: Section };

function opsOf(sections: readonly Section[]): Op[] {
  return sections.flatMap((s): Op[] =>
    s.atomic === true
      ? [{ kind: "atomic", section: s }]
      : [
          ...s.take.map((lock): Op => ({ kind: "take", lock })),
          ...s.releaseOrder.map((lock): Op => ({ kind: "release", lock })),
        ],
  );
}

/** Runs the plan under its scheduler choices and records the trace. */
function simulate(plan: Plan): TraceBuilder {
  const b = new TraceBuilder();
  const main = b.thread("main");
  const locks = Array.from({ length: plan.lockCount }, (_, i) => b.lock(`L${i}`));
  const holder = new Map<number, number>();
  const threads = plan.threads.map((sections, t) => ({
    index: t,
    ident: 0,
    ops: opsOf(sections),
    pc: 0,
    requested: false,
    done: false,
  }));
  let mainPc = 0;
  let joinBegun = false;
  const siteOf = (t: number, pc: number): number => b.site(100 * (t + 1) + pc, { fn: `t${t}` });
  const free = (lock: number): boolean => !holder.has(lock);
  type Actor = () => void;
  const runnable = (): Actor[] => {
    const actors: Actor[] = [];
    const step = plan.main[mainPc];
    if (step !== undefined) {
      const [what, t] = step;
      const target = threads[t];
      if (what === "start" || !joinBegun || target?.done === true) {
        actors.push(() => {
          if (what === "start") {
            const thread = threads[t];
            if (thread !== undefined) thread.ident = b.worker(`w${t}`, main);
            mainPc++;
          } else if (!joinBegun) {
            b.joinBegin(main, target?.ident ?? 0, b.site(1));
            joinBegun = true;
          } else {
            b.joinEnd(main, target?.ident ?? 0, true);
            joinBegun = false;
            mainPc++;
          }
        });
      }
    }
    for (const thread of threads) {
      if (thread.ident === 0 || thread.done) continue;
      const op = thread.ops[thread.pc];
      if (op === undefined) continue;
      if (op.kind === "atomic" && !op.section.take.every(free)) continue;
      if (op.kind === "take" && !free(op.lock) && thread.requested) continue;
      actors.push(() => {
        const lock = (i: number): number => locks[i] as number;
        if (op.kind === "release") {
          holder.delete(op.lock);
          b.release(thread.ident, lock(op.lock));
        } else if (op.kind === "atomic") {
          op.section.take.forEach((l, i) =>
            b.acquired(thread.ident, lock(l), siteOf(thread.index, thread.pc * 10 + i)),
          );
          for (const l of op.section.releaseOrder) b.release(thread.ident, lock(l));
        } else if (free(op.lock)) {
          holder.set(op.lock, thread.ident);
          b.acquired(
            thread.ident,
            lock(op.lock),
            thread.requested ? 0 : siteOf(thread.index, thread.pc),
          );
          thread.requested = false;
        } else {
          b.request(thread.ident, lock(op.lock), siteOf(thread.index, thread.pc));
          thread.requested = true;
          return;
        }
        thread.pc++;
        if (thread.pc === thread.ops.length) {
          thread.done = true;
          b.exit(thread.ident);
        }
      });
    }
    return actors;
  };
  for (let step = 0; ; step++) {
    const actors = runnable();
    if (actors.length === 0) break;
    const choice = plan.choices[step] ?? 0;
    (actors[choice % actors.length] as Actor)();
  }
  assert.ok(
    threads.every((t) => t.done) && mainPc === plan.main.length,
    "the simulated run must finish",
  );
  return b;
}

/** Ascending subsets with a random release order. */
const sectionArb = (lockCount: number): fc.Arbitrary<Section> =>
  fc
    .uniqueArray(fc.integer({ min: 0, max: lockCount - 1 }), { minLength: 1, maxLength: lockCount })
    .chain((subset) => {
      const take = [...subset].sort((a, b) => a - b);
      return fc
        .shuffledSubarray(take, { minLength: take.length })
        .map((releaseOrder) => ({ take, releaseOrder }));
    });

/** Main starts every thread in order, joining some started ones on the way, and all at the end. */
const mainArb = (threadCount: number): fc.Arbitrary<["start" | "join", number][]> =>
  fc.array(fc.boolean(), { minLength: threadCount, maxLength: threadCount }).map((joinEarly) => {
    const script: ["start" | "join", number][] = [];
    const joined = new Set<number>();
    joinEarly.forEach((early, t) => {
      script.push(["start", t]);
      if (early && t > 0 && !joined.has(t - 1)) {
        script.push(["join", t - 1]);
        joined.add(t - 1);
      }
    });
    for (let t = 0; t < threadCount; t++) if (!joined.has(t)) script.push(["join", t]);
    return script;
  });

const planArb: fc.Arbitrary<Plan> = fc
  .record({
    lockCount: fc.integer({ min: 2, max: 5 }),
    threadCount: fc.integer({ min: 2, max: 4 }),
  })
  .chain(({ lockCount, threadCount }) =>
    fc.record({
      lockCount: fc.constant(lockCount),
      threads: fc.array(fc.array(sectionArb(lockCount), { minLength: 1, maxLength: 3 }), {
        minLength: threadCount,
        maxLength: threadCount,
      }),
      main: mainArb(threadCount),
      choices: fc.array(fc.nat(), { maxLength: 200 }),
    }),
  );

function kindsOf(findings: readonly Finding[]): string[] {
  return findings.map((f) => f.kind);
}

describe("properties of the analysis", () => {
  test("a deadlock-free discipline (ascending order) never produces a finding", () => {
    fc.assert(
      fc.property(planArb, (plan) => {
        const findings = analyzeTrace(simulate(plan).build(), { cwd: CWD });
        assert.deepEqual(kindsOf(findings), []);
      }),
    );
  });

  test("one pair inverted by two threads: a potential deadlock over it, unless start/join-ordered", () => {
    const inversionArb = planArb.chain((plan) =>
      fc.record({
        plan: fc.constant(plan),
        pair: fc
          .uniqueArray(fc.integer({ min: 0, max: plan.lockCount - 1 }), {
            minLength: 2,
            maxLength: 2,
          })
          .map(([x, y]) => [Math.min(x ?? 0, y ?? 1), Math.max(x ?? 0, y ?? 1)] as const),
        threads: fc
          .uniqueArray(fc.integer({ min: 0, max: plan.threads.length - 1 }), {
            minLength: 2,
            maxLength: 2,
          })
          .map(([x, y]) => [x ?? 0, y ?? 1] as const),
        positions: fc.tuple(fc.nat(), fc.nat()),
        sequential: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(inversionArb, ({ plan, pair, threads, positions, sequential }) => {
        const [low, high] = pair;
        const [inverter, follower] = threads;
        const withSection = (
          sections: readonly Section[],
          at: number,
          section: Section,
        ): Section[] => {
          const copy = [...sections];
          copy.splice(at % (copy.length + 1), 0, section);
          return copy;
        };
        const planned: Section[][] = plan.threads.map((s) => [...s]);
        planned[inverter] = withSection(planned[inverter] ?? [], positions[0], {
          take: [high, low],
          releaseOrder: [low, high],
          atomic: true,
        });
        planned[follower] = withSection(planned[follower] ?? [], positions[1], {
          take: [low, high],
          releaseOrder: [high, low],
        });
        // Sequential: the inverter runs alone first, and is joined before anyone else starts.
        const main: Plan["main"] = sequential
          ? [
              ["start", inverter],
              ["join", inverter],
              ...plan.main.filter(([, t]) => t !== inverter),
            ]
          : plan.main;
        const findings = analyzeTrace(simulate({ ...plan, threads: planned, main }).build(), {
          cwd: CWD,
        });
        if (sequential) {
          assert.deepEqual(kindsOf(findings), []);
          return;
        }
        const startOf = (t: number): number => main.findIndex(([w, x]) => w === "start" && x === t);
        const joinOf = (t: number): number => main.findIndex(([w, x]) => w === "join" && x === t);
        const ordered =
          joinOf(inverter) < startOf(follower) || joinOf(follower) < startOf(inverter);
        const names = [`L${low}`, `L${high}`];
        for (const finding of findings) {
          assert.equal(finding.kind, "potential-deadlock");
          for (const name of names)
            assert.ok(finding.locks.includes(name), JSON.stringify(finding));
        }
        if (!ordered) {
          assert.ok(
            findings.some((f) => f.locks.length === 2),
            JSON.stringify(findings.map((f) => f.message)),
          );
        }
      }),
    );
  });
});
