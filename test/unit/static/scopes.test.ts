// Static lock order with scoped holds: `using` guards until the end of their block, guards
// released by hand, withLock/run callbacks, acquireAll, callbacks that run later, and a Lock
// taken again while held (self-deadlock, with the RLock fix).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { applyTextEdit } from "../../../src/analysis/index.ts";
import { IMPORT, findingsOf, lineOf, none, only, replaced, sitesOf } from "./helpers.ts";

/** `first` and a function taking lockB then lockA. */
function withReverse(first: string): string {
  return `${IMPORT}
const lockA = new Lock();
const lockB = new Lock();
${first}
export function reverse(): void {
  lockB.acquireSync();
  lockA.acquireSync();
  lockA.release();
  lockB.release();
}
`;
}

describe("static: guards and callbacks", () => {
  test("using guards hold until the end of their block", () => {
    const nested = withReverse(`export async function f(): Promise<void> {
  using a = await lockA.lock();
  {
    using b = lockB.lockSync();
  }
}`);
    const f = only(findingsOf(nested), "potential-deadlock");
    assert.ok(sitesOf(f, "held").includes(`app.ts:${lineOf(nested, "using a")}`));
    assert.ok(sitesOf(f, "acquires").includes(`app.ts:${lineOf(nested, "using b")}`));
    none(
      findingsOf(
        withReverse(`export async function f(): Promise<void> {
  {
    using a = await lockA.lock();
  }
  using b = lockB.lockSync();
}`),
      ),
    );
  });

  test("a guard held in a variable lasts until its release()", () => {
    const source = (release: string): string =>
      withReverse(`export async function f(): Promise<void> {
  const guard = await lockA.lock();
  ${release}
  await lockB.acquire();
}`);
    only(findingsOf(source("")), "potential-deadlock");
    none(findingsOf(source("guard.release();")));
    none(findingsOf(source("guard[Symbol.dispose]();")));
  });

  test("withLock and run callbacks run holding the lock, and only while they run", () => {
    for (const call of [
      "await withLock(lockA, async () => {\n    await lockB.acquire();\n  });",
      "await lockA.run(async () => {\n    await lockB.acquire();\n  });",
      "lockA.runSync(() => lockB.acquireSync());",
      "await lockA.run(takeB);",
    ]) {
      const source = withReverse(`function takeB(): void {
  lockB.acquireSync();
}
export async function f(): Promise<void> {
  ${call}
}`);
      const f = only(findingsOf(source), "potential-deadlock");
      assert.deepEqual(f.locks, ["lockA", "lockB"], call);
    }
    none(
      findingsOf(
        withReverse(`export async function f(): Promise<void> {
  await withLock(lockA, () => undefined);
  await lockB.acquire();
}`),
      ),
    );
  });

  test("acquireAll takes its locks in one order: no edge between them, edges from held ones", () => {
    none(
      findingsOf(
        withReverse(`export async function f(): Promise<void> {
  using both = await acquireAll([lockB, lockA]);
}`),
      ),
    );
    const f = only(
      findingsOf(`${IMPORT}
const lockA = new Lock();
const lockB = new Lock();
const lockC = new Lock();
export async function f(): Promise<void> {
  using both = await acquireAll([lockA, lockB]);
  await lockC.acquire();
}
export function g(): void {
  lockC.acquireSync();
  lockB.acquireSync();
}
`),
      "potential-deadlock",
    );
    assert.deepEqual(f.locks, ["lockB", "lockC"]);
  });

  test("callbacks that run later hold nothing of the caller's; array callbacks run now", () => {
    none(
      findingsOf(
        withReverse(`export function f(): void {
  lockA.acquireSync();
  setTimeout(() => lockB.acquireSync(), 10);
  lockA.release();
}`),
      ),
    );
    only(
      findingsOf(
        withReverse(`export function f(items: number[]): void {
  lockA.acquireSync();
  items.forEach(() => {
    lockB.acquireSync();
    lockB.release();
  });
  lockA.release();
}`),
      ),
      "potential-deadlock",
    );
  });
});

describe("static: a Lock taken again while held", () => {
  const REENTRY = `${IMPORT}
const guard = new Lock();
function inner(): void {
  guard.acquireSync();
  guard.release();
}
export function outer(): void {
  guard.acquireSync();
  inner();
  guard.release();
}
`;

  test("self-deadlock at the second acquisition, with the RLock edit", () => {
    const f = only(findingsOf(REENTRY), "self-deadlock");
    assert.deepEqual(f.locks, ["guard"]);
    assert.match(f.message, /static analysis/);
    assert.deepEqual(sitesOf(f, "holds"), [`app.ts:${lineOf(REENTRY, "guard.acquireSync", 2)}`]);
    assert.deepEqual(sitesOf(f, "waits"), [`app.ts:${lineOf(REENTRY, "guard.acquireSync", 1)}`]);
    const rlock = f.suggestions.find((s) => s.kind === "use-rlock");
    assert.ok(rlock?.edit, "use-rlock with an edit");
    const fixed = applyTextEdit(REENTRY, rlock.edit);
    assert.ok(fixed.includes("const guard = new RLock();"), fixed);
    none(findingsOf(fixed));
  });

  test("an RLock, a Lock held on some paths only, or tryAcquire: nothing", () => {
    none(findingsOf(replaced(REENTRY, "new Lock()", "new RLock()")));
    none(
      findingsOf(
        replaced(
          REENTRY,
          "  guard.acquireSync();\n  inner();",
          "  if (Math.random() > 0.5) guard.acquireSync();\n  inner();",
        ),
      ),
    );
    none(
      findingsOf(
        replaced(
          REENTRY,
          "guard.acquireSync();\n  guard.release();\n}",
          "if (guard.tryAcquire()) guard.release();\n}",
        ),
      ),
    );
  });
});
