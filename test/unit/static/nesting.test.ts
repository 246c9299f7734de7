// Static lock order within functions: nested acquisitions, releases, consistent orders, gate
// locks, unknown identities, and conditional acquisitions (tryAcquire as a condition).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { IMPORT, findingsOf, lineOf, none, only, replaced, sitesOf } from "./helpers.ts";

const INVERSION = `${IMPORT}
const lockA = new Lock();
const lockB = new Lock();

export function first(): void {
  lockA.acquireSync();
  lockB.acquireSync();
  lockB.release();
  lockA.release();
}

export async function second(): Promise<void> {
  await lockB.acquire();
  await lockA.acquire();
  lockA.release();
  lockB.release();
}
`;

describe("static: nesting in one function", () => {
  test("two functions taking two module locks in opposite orders: one potential deadlock", () => {
    const f = only(findingsOf(INVERSION), "potential-deadlock");
    assert.deepEqual(f.locks, ["lockA", "lockB"]);
    assert.deepEqual(f.threads, []);
    assert.match(f.message, /static analysis/);
    const at = (text: string, n = 1): string => `app.ts:${lineOf(INVERSION, text, n)}`;
    assert.ok(
      f.message.includes(`first takes lockB while holding lockA (${at("lockB.acquireSync")})`),
      f.message,
    );
    assert.ok(
      f.message.includes(`second takes lockA while holding lockB (${at("lockA.acquire(")})`),
      f.message,
    );
    assert.deepEqual(sitesOf(f, "held"), [at("lockA.acquireSync"), at("lockB.acquire(")].sort());
    assert.deepEqual(
      sitesOf(f, "acquires"),
      [at("lockB.acquireSync"), at("lockA.acquire(")].sort(),
    );
    const line = lineOf(INVERSION, "lockA.acquireSync");
    const held = f.sites.find((s) => s.role === "held" && s.line === line);
    assert.deepEqual(held, { file: "app.ts", line, column: 3, thread: "first", role: "held" });
    assert.deepEqual(
      f.suggestions.map((s) => s.kind),
      ["global-order", "acquire-all", "use-rlock", "add-timeout"],
    );
  });

  test("the same order everywhere: nothing", () => {
    none(
      findingsOf(
        replaced(
          INVERSION,
          "await lockB.acquire();\n  await lockA.acquire();",
          "await lockA.acquire();\n  await lockB.acquire();",
        ),
      ),
    );
  });

  test("a release ends the hold: taking the other lock after it is not nested", () => {
    const source = replaced(
      INVERSION,
      "  await lockA.acquire();\n  lockA.release();\n  lockB.release();",
      "  lockB.release();\n  await lockA.acquire();\n  lockA.release();",
    );
    assert.notEqual(source, INVERSION);
    none(findingsOf(source));
  });

  test("locks of unknown identity (unbound parameters, call results, elements) give nothing", () => {
    none(
      findingsOf(`${IMPORT}
declare function pick(i: number): Lock;
const locks = [new Lock(), new Lock()];
export function f(a: Lock, b: Lock): void {
  a.acquireSync();
  b.acquireSync();
}
export function g(a: Lock, b: Lock): void {
  b.acquireSync();
  a.acquireSync();
}
export function h(): void {
  pick(0).acquireSync();
  pick(1).acquireSync();
  locks[1]?.acquireSync();
  locks[0]?.acquireSync();
}
export function k(): void {
  pick(1).acquireSync();
  pick(0).acquireSync();
  locks[0]?.acquireSync();
  locks[1]?.acquireSync();
}
`),
    );
  });

  test("a let that is reassigned is unknown; one that is not is known", () => {
    const source = (reassign: string): string => `${IMPORT}
let lockA = new Lock();
const lockB = new Lock();
${reassign}
export function f(): void { lockA.acquireSync(); lockB.acquireSync(); }
export function g(): void { lockB.acquireSync(); lockA.acquireSync(); }
`;
    none(findingsOf(source("export function swap(): void { lockA = new Lock(); }")));
    only(findingsOf(source("")), "potential-deadlock");
  });

  test("a gate lock held around both orders: nothing; held on some paths only: found", () => {
    const source = (guard: string): string => `${IMPORT}
const gate = new Lock();
const lockA = new Lock();
const lockB = new Lock();
export function f(flag: boolean): void {
  ${guard}
  lockA.acquireSync();
  lockB.acquireSync();
  lockB.release();
  lockA.release();
}
export function g(flag: boolean): void {
  ${guard}
  lockB.acquireSync();
  lockA.acquireSync();
  lockA.release();
  lockB.release();
}
`;
    none(findingsOf(source("gate.acquireSync();")));
    const f = only(findingsOf(source("if (flag) gate.acquireSync();")), "potential-deadlock");
    assert.deepEqual(f.locks, ["lockA", "lockB"]);
  });

  test("tryAcquire as a condition holds the lock where it succeeded", () => {
    const source = (first: string): string => `${IMPORT}
const lockA = new Lock();
const lockB = new Lock();
export function f(): void {
${first}
}
export function g(): void {
  lockB.acquireSync();
  lockA.acquireSync();
}
`;
    only(
      findingsOf(source("  if (lockA.tryAcquire()) {\n    lockB.acquireSync();\n  }")),
      "potential-deadlock",
    );
    only(
      findingsOf(source("  if (!lockA.tryAcquire()) return;\n  lockB.acquireSync();")),
      "potential-deadlock",
    );
    only(
      findingsOf(
        source("  const ok = lockA.tryAcquire();\n  if (!ok) return;\n  lockB.acquireSync();"),
      ),
      "potential-deadlock",
    );
    none(findingsOf(source("  if (!lockA.tryAcquire()) {\n    lockB.acquireSync();\n  }")));
    // Not a condition: the result is not known to be true, the lock is not held.
    none(findingsOf(source("  lockA.tryAcquire();\n  lockB.acquireSync();")));
  });

  test("an acquisition with a timeout, tested: the failed branch does not hold it", () => {
    none(
      findingsOf(`${IMPORT}
const lockA = new Lock();
const lockB = new Lock();
export async function f(): Promise<void> {
  if (!(await lockA.acquire({ timeout: 10 }))) {
    await lockB.acquire();
    lockB.release();
    return;
  }
  lockA.release();
}
export function g(): void {
  lockB.acquireSync();
  lockA.acquireSync();
}
`),
    );
  });

  test("a release in finally, and a return through it, leave nothing held", () => {
    none(
      findingsOf(`${IMPORT}
const lockA = new Lock();
const lockB = new Lock();
function work(n: number): number {
  lockA.acquireSync();
  try {
    if (n > 1) return n;
    for (let i = 0; i < n; i++) {
      if (i === 2) break;
    }
  } finally {
    lockA.release();
  }
  return 0;
}
// Were lockA still held after work(), f would take lockB while holding it, against g.
export function f(): void {
  work(2);
  lockB.acquireSync();
  lockB.release();
}
export function g(): void {
  lockB.acquireSync();
  lockA.acquireSync();
}
`),
    );
  });

  test("three locks in a cycle across three functions: one finding, all six sites", () => {
    const f = only(
      findingsOf(`${IMPORT}
const a = new Lock();
const b = new Lock();
const c = new Lock();
export function ab(): void { a.acquireSync(); b.acquireSync(); }
export function bc(): void { b.acquireSync(); c.acquireSync(); }
export function ca(): void { c.acquireSync(); a.acquireSync(); }
`),
      "potential-deadlock",
    );
    assert.deepEqual(f.locks, ["a", "b", "c"]);
    assert.equal(f.sites.length, 6);
    assert.deepEqual(
      f.suggestions.map((s) => s.kind),
      ["global-order", "acquire-all", "add-timeout"],
    );
  });

  test("locks named at creation are reported by that name, as at run time", () => {
    const f = only(
      findingsOf(
        replaced(INVERSION, "const lockA = new Lock();", 'const lockA = new Lock("accounts");'),
      ),
      "potential-deadlock",
    );
    assert.deepEqual(f.locks, ["accounts", "lockB"]);
  });
});
