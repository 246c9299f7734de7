// Static lock order across calls: held sets propagated into callees (with a depth bound),
// lock parameters bound at call sites, files importing each other, class fields per class,
// and the S1 fixture (doA/doB called with the locks from threadArgs).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { applyTextEdit } from "../../../src/analysis/index.ts";
import { IMPORT, analyze, findingsOf, lineOf, none, only, sitesOf } from "./helpers.ts";

const CHAIN = `${IMPORT}
const lockA = new Lock();
const lockB = new Lock();
function takeB(): void {
  lockB.acquireSync();
  lockB.release();
}
function middle(): void {
  takeB();
}
export function outer(): void {
  lockA.acquireSync();
  middle();
  lockA.release();
}
export function other(): void {
  lockB.acquireSync();
  lockA.acquireSync();
}
`;

describe("static: across calls", () => {
  test("the held set follows calls: lockA held in outer, lockB taken two calls down", () => {
    const f = only(findingsOf(CHAIN), "potential-deadlock");
    assert.deepEqual(f.locks, ["lockA", "lockB"]);
    const at = (text: string, n = 1): string => `app.ts:${lineOf(CHAIN, text, n)}`;
    assert.deepEqual(
      sitesOf(f, "held"),
      [at("lockA.acquireSync();"), at("lockB.acquireSync();", 2)].sort(),
    );
    assert.ok(
      f.message.includes(`takeB takes lockB (${at("lockB.acquireSync")}) while holding lockA`),
      f.message,
    );
    assert.ok(f.message.includes(`taken in outer, ${at("lockA.acquireSync")}`), f.message);
    const takeB = f.sites.find((s) => s.role === "acquires" && s.thread === "takeB");
    assert.ok(takeB, "the acquisition in takeB is a site");
  });

  test("the depth bound stops following calls", () => {
    only(findingsOf(CHAIN, { maxCallDepth: 2 }), "potential-deadlock");
    none(findingsOf(CHAIN, { maxCallDepth: 1 }));
  });

  test("lock parameters are bound at call sites; other arguments stay other locks", () => {
    const source = (call: string): string => `${IMPORT}
const lockA = new Lock();
const lockB = new Lock();
const lockC = new Lock();
function both(first: Lock, second: AnyLock): void {
  first.acquireSync();
  second.acquireSync();
  second.release();
  first.release();
}
export function run1(): void {
  both(lockA, lockB);
}
export function run2(): void {
  ${call};
}
`;
    const f = only(findingsOf(source("both(lockB, lockA)")), "potential-deadlock");
    assert.deepEqual(f.locks, ["lockA", "lockB"]);
    // Both edges are in `both`: the swap edit is not offered for parameters used both ways.
    none(findingsOf(source("both(lockA, lockC)")));
    none(findingsOf(source("both(lockA, lockB)")));
  });

  test("S1 split across files, through a helper call: found, with sites in both files", () => {
    const { findings } = analyze({
      "locks.ts": `${IMPORT}export const lockA = new Lock();\nexport const lockB = new Lock();\n`,
      "first.ts": `import { lockA, lockB } from "./locks.ts";
function takeB(): void {
  lockB.acquireSync();
  lockB.release();
}
export function doA(): void {
  lockA.acquireSync();
  takeB();
  lockA.release();
}
`,
      "second.ts": `import * as locks from "./locks";
export async function doB(): Promise<void> {
  await locks.lockB.acquire();
  await locks.lockA.acquire();
  locks.lockA.release();
  locks.lockB.release();
}
`,
    });
    const f = only(findings, "potential-deadlock");
    assert.deepEqual(f.locks, ["lockA", "lockB"]);
    assert.deepEqual(sitesOf(f, "held"), ["first.ts:7", "second.ts:3"]);
    assert.deepEqual(sitesOf(f, "acquires"), ["first.ts:3", "second.ts:4"]);
  });

  test("class fields: this.lockA per class, methods in opposite orders, helper via this", () => {
    const source = `${IMPORT}
export class Account {
  readonly lockA = new Lock();
  readonly lockB: Lock;
  constructor() {
    this.lockB = new Lock();
  }
  deposit(): void {
    this.lockA.acquireSync();
    this.#audit();
    this.lockA.release();
  }
  #audit(): void {
    this.lockB.acquireSync();
    this.lockB.release();
  }
  async withdraw(): Promise<void> {
    await this.lockB.acquire();
    await this.lockA.acquire();
  }
}
export class Other {
  readonly lockA = new Lock();
  readonly lockB = new Lock();
  m(): void {
    this.lockA.acquireSync();
    this.lockB.acquireSync();
  }
}
`;
    const f = only(findingsOf(source), "potential-deadlock");
    assert.deepEqual(f.locks, ["this.lockA", "this.lockB"]);
    assert.match(f.message, /Account\.withdraw takes this\.lockA while holding this\.lockB/);
    assert.ok(f.sites.every((s) => s.line < lineOf(source, "class Other")));
  });

  test("a method called on another object does not take this object's fields", () => {
    none(
      findingsOf(`${IMPORT}
export class Node {
  readonly lockA = new Lock();
  readonly lockB = new Lock();
  peer(other: Node): void {
    this.lockB.acquireSync();
    other.touch();
  }
  touch(): void {
    this.lockA.acquireSync();
    this.lockA.release();
  }
  order(): void {
    this.lockA.acquireSync();
    this.lockB.acquireSync();
  }
}
`),
    );
  });

  test("recursion terminates", () => {
    none(
      findingsOf(`${IMPORT}
const lockA = new Lock();
function walk(n: number): number {
  lockA.acquireSync();
  lockA.release();
  return n <= 0 ? 0 : walk(n - 1) + walk(n - 2);
}
export const total = walk(10);
`),
    );
  });
});

describe("static: the S1 fixture", () => {
  const file = fileURLToPath(new URL("../../fixtures/analysis/s1-lockab.ts", import.meta.url));
  const source = readFileSync(file, "utf8");

  test("exactly one potential deadlock over lockA/lockB at the four acquisition lines", () => {
    const f = only(analyze({ "s1-lockab.ts": source }).findings, "potential-deadlock");
    assert.deepEqual(f.locks, ["lockA", "lockB"]);
    assert.deepEqual(f.threads, []);
    const at = (text: string, n: number): string => `s1-lockab.ts:${lineOf(source, text, n)}`;
    assert.deepEqual(
      sitesOf(f, "held"),
      [at("lockA.acquireSync();", 1), at("lockB.acquireSync();", 2)].sort(),
    );
    assert.deepEqual(
      sitesOf(f, "acquires"),
      [at("lockB.acquireSync();", 1), at("lockA.acquireSync();", 2)].sort(),
    );
    assert.deepEqual(
      f.sites.map((s) => s.thread),
      ["doA", "doA", "doB", "doB"],
    );
  });

  test("the global-order fix swaps the acquisitions in doB, as the runtime's does", () => {
    const f = only(analyze({ "s1-lockab.ts": source }).findings, "potential-deadlock");
    const order = f.suggestions.find((s) => s.kind === "global-order");
    assert.ok(order?.edit, "global-order with an edit");
    assert.equal(order.edit.file, "s1-lockab.ts");
    assert.deepEqual(
      order.edit.replacements.map((r) => r.line),
      [lineOf(source, "lockB.acquireSync();", 2), lineOf(source, "lockA.acquireSync();", 2)],
    );
    const fixed = applyTextEdit(source, order.edit);
    none(analyze({ "s1-lockab.ts": fixed }).findings);
  });
});
