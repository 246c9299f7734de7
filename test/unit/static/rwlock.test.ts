// The static analysis follows RWLock's read and write sides (DESIGN 5.5): writes exclude
// everyone and take part in lock-order cycles like a Lock; two read sides never wait for each
// other, so a cycle that needs a reader to wait for a reader is not one.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { findingsOf, lineOf, none, only, sitesOf } from "./helpers.ts";

const HEAD = 'import { Lock, RWLock } from "threadlens";\n';

function inversion(first: string, second: string): string {
  return `${HEAD}const table = new RWLock("table");
const index = new RWLock("index");
export async function one(): Promise<void> {
  await table.${first}();
  await index.${second}();
}
export async function two(): Promise<void> {
  await index.${first}();
  await table.${second}();
}
`;
}

describe("static: RWLock", () => {
  test("two writers in opposite orders: a potential deadlock at the four write sites", () => {
    const source = inversion("acquireWrite", "acquireWrite");
    const f = only(findingsOf(source), "potential-deadlock");
    assert.deepEqual(f.locks, ["table", "index"]);
    const at = (text: string, n: number): string => `app.ts:${lineOf(source, text, n)}`;
    // one: table (held) then index; two: index (held) then table.
    assert.deepEqual(
      sitesOf(f, "held"),
      [at("await table.acquireWrite();", 1), at("await index.acquireWrite();", 2)].sort(),
    );
    assert.deepEqual(
      sitesOf(f, "acquires"),
      [at("await index.acquireWrite();", 1), at("await table.acquireWrite();", 2)].sort(),
    );
  });

  test("a reader holding one and wanting the other's write side, both ways: a cycle", () => {
    // Each holds a read side and waits to write the lock the other reads: neither writer can
    // enter while the other's read is held.
    only(findingsOf(inversion("acquireRead", "acquireWrite")), "potential-deadlock");
  });

  test("read sides only, in opposite orders: nothing (readers share)", () => {
    none(findingsOf(inversion("acquireRead", "acquireRead")));
    none(findingsOf(inversion("acquireReadSync", "acquireReadSync")));
  });

  test("a writer holding one that wants the other's read side, both ways: a cycle", () => {
    only(findingsOf(inversion("acquireWrite", "acquireRead")), "potential-deadlock");
  });

  test("released read and write sides end the hold; a read taken again while read is no self-deadlock", () => {
    const source = `${HEAD}const table = new RWLock("table");
const index = new RWLock("index");
export function one(): void {
  table.acquireWriteSync();
  table.releaseWrite();
  index.acquireWriteSync();
  index.releaseWrite();
}
export function two(): void {
  index.acquireReadSync();
  table.acquireReadSync();
  table.acquireReadSync();
  table.releaseRead();
  table.releaseRead();
  index.releaseRead();
}
`;
    none(findingsOf(source));
  });

  test("a write side and a Lock in opposite orders: a cycle over both", () => {
    const source = `${HEAD}const table = new RWLock("table");
const audit = new Lock("audit");
export async function one(): Promise<void> {
  await table.acquireWrite();
  await audit.acquire();
}
export async function two(): Promise<void> {
  await audit.acquire();
  await table.acquireRead();
}
`;
    const f = only(findingsOf(source), "potential-deadlock");
    assert.deepEqual([...f.locks].sort(), ["audit", "table"]);
  });
});
