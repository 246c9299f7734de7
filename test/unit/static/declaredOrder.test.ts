// Declared lock orders (`// threadlens: order lockA < lockB`): the comment parser and its
// closure, the static analysis (a nested acquisition against the order is a finding without a
// cycle), and the runtime analysis (a lock-order edge of the run against an order declared in
// the program's sources).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  DeclaredOrders,
  declaredOrderText,
  parseDeclaredOrders,
} from "../../../src/analysis/declaredOrder.ts";
import { analyzeTrace } from "../../../src/analysis/index.ts";
import { TraceBuilder } from "../analysis/traceBuilder.ts";
import { IMPORT, analyze, findingsOf, lineOf, none, only, replaced, sitesOf } from "./helpers.ts";

describe("declared orders: parsing", () => {
  test("line and block comments, chains, this.fields; strings and malformed ones ignored", () => {
    const source = [
      "// threadlens: order lockA < lockB",
      "/* threadlens: order this.a < this.b < c */",
      'const s = "// threadlens: order x < y";',
      "// threadlens: order lockA lockB",
      "// threadlens: order lockA <",
    ].join("\n");
    assert.deepEqual(parseDeclaredOrders(source, "/p/a.ts"), [
      { before: "lockA", after: "lockB", file: "/p/a.ts", line: 1 },
      { before: "this.a", after: "this.b", file: "/p/a.ts", line: 2 },
      { before: "this.b", after: "c", file: "/p/a.ts", line: 2 },
    ]);
  });

  test("the closure relates locks through chains and cites every declaration used", () => {
    const orders = new DeclaredOrders([
      ...parseDeclaredOrders("// threadlens: order a < b", "/p/x.ts"),
      ...parseDeclaredOrders("\n// threadlens: order b < c", "/p/y.ts"),
    ]);
    const chain = orders.chain("a", "c");
    assert.ok(chain);
    assert.equal(declaredOrderText(chain, "/p"), "a < b < c (x.ts:1, y.ts:2)");
    assert.equal(orders.chain("c", "a"), undefined);
    assert.ok(orders.violated("c", "a"), "taking a while holding c goes against it");
    assert.equal(orders.violated("a", "c"), undefined);
  });
});

describe("declared orders: static analysis", () => {
  const AGAINST = `${IMPORT}
// threadlens: order lockA < lockB
const lockA = new Lock();
const lockB = new Lock();
export function f(): void {
  lockB.acquireSync();
  lockA.acquireSync();
  lockA.release();
  lockB.release();
}
`;

  test("taking lockA while holding lockB is a finding without a cycle, citing the order", () => {
    const f = only(findingsOf(AGAINST), "potential-deadlock");
    assert.deepEqual(f.locks, ["lockA", "lockB"]);
    assert.match(f.message, /static analysis/);
    assert.match(f.message, /against the declared order lockA < lockB \(app\.ts:3\)/);
    assert.deepEqual(sitesOf(f, "held"), [`app.ts:${lineOf(AGAINST, "lockB.acquireSync")}`]);
    assert.deepEqual(sitesOf(f, "acquires"), [`app.ts:${lineOf(AGAINST, "lockA.acquireSync")}`]);
    const order = f.suggestions.find((s) => s.kind === "global-order");
    assert.ok(order?.edit, "the swap edit");
    assert.deepEqual(
      order.edit.replacements.map((r) => r.newText),
      ["lockA", "lockB"],
    );
  });

  test("the declared order kept, or declared in another file", () => {
    none(findingsOf(replaced(AGAINST, "order lockA < lockB", "order lockB < lockA")));
    const { findings } = analyze({
      "app.ts": replaced(AGAINST, "// threadlens: order lockA < lockB", ""),
      "ORDER.ts": "/* locks */\n// threadlens: order lockA < lockB\nexport {};\n",
    });
    assert.match(only(findings, "potential-deadlock").message, /lockA < lockB \(ORDER\.ts:2\)/);
  });

  test("a cycle against a declared order: one finding, fixed in the declared order", () => {
    const source = `${IMPORT}
// threadlens: order lockB < lockA
const lockA = new Lock();
const lockB = new Lock();
export function f(): void {
  lockA.acquireSync();
  lockB.acquireSync();
}
export function g(): void {
  lockB.acquireSync();
  lockA.acquireSync();
}
`;
    const f = only(findingsOf(source), "potential-deadlock");
    assert.match(f.message, /lock-order inversion/);
    assert.match(f.message, /against the declared order lockB < lockA/);
    const order = f.suggestions.find((s) => s.kind === "global-order");
    assert.match(order?.message ?? "", /take lockB before lockA everywhere/);
    assert.match(order?.message ?? "", /in f \(app\.ts:\d+\)/);
  });
});

describe("declared orders: runtime analysis", () => {
  const FILE = "/proj/src/app.ts";
  const SOURCE = [
    'import { Lock } from "threadlens";',
    "// threadlens: order lockA < lockB",
    "const lockA = new Lock();",
    "const lockB = new Lock();",
    "export function f(): void {",
    "  lockB.acquireSync();",
    "  lockA.acquireSync();",
    "}",
  ].join("\n");

  /** One thread takes lockB (line 6) then lockA (line 7); nothing else. */
  function trace(): TraceBuilder {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const lockA = b.lock("lockA", b.site(3, { file: FILE }));
    const lockB = b.lock("lockB", b.site(4, { file: FILE }));
    b.acquired(main, lockB, b.site(6, { file: FILE, fn: "f", column: 3 }));
    b.acquired(main, lockA, b.site(7, { file: FILE, fn: "f", column: 3 }));
    b.release(main, lockA).release(main, lockB);
    return b;
  }

  test("an edge of the run against an order declared in its sources is a finding", () => {
    const findings = analyzeTrace(trace().build(), {
      cwd: "/proj",
      readSource: (file) => (file === FILE ? SOURCE : undefined),
    });
    const f = only(findings, "potential-deadlock");
    assert.deepEqual(f.locks, ["lockA", "lockB"]);
    assert.deepEqual(f.threads, ["main"]);
    assert.match(f.message, /main takes lockA while holding lockB \(src\/app\.ts:7\)/);
    assert.match(f.message, /against the declared order lockA < lockB \(src\/app\.ts:2\)/);
    assert.deepEqual(
      f.sites.map((s) => [s.role, s.line]),
      [
        ["held", 6],
        ["acquires", 7],
      ],
    );
    const order = f.suggestions.find((s) => s.kind === "global-order");
    assert.deepEqual(
      order?.edit?.replacements.map((r) => [r.line, r.newText]),
      [
        [6, "lockA"],
        [7, "lockB"],
      ],
    );
  });

  test("orders passed in the options count too; without any, nothing", () => {
    none(analyzeTrace(trace().build(), { cwd: "/proj" }));
    const given = parseDeclaredOrders("// threadlens: order lockA < lockB", "/proj/ORDER.ts");
    const f = only(
      analyzeTrace(trace().build(), { cwd: "/proj", declaredOrders: given }),
      "potential-deadlock",
    );
    assert.match(f.message, /lockA < lockB \(ORDER\.ts:1\)/);
  });
});
