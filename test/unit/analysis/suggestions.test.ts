// Fix suggestions and their edits, checked on real source text: the receiver swap for a global
// lock order, RLock for a self-deadlock (with its import), and no edit where none is safe.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { analyzeTrace, applyTextEdit } from "../../../src/analysis/index.ts";
import { findCallReceiver } from "../../../src/analysis/sourceEdits.ts";
import type { Finding, Suggestion } from "../../../src/protocol/report.ts";
import { CWD, TraceBuilder } from "./traceBuilder.ts";

const LOCKAB_FILE = "/proj/examples/lockab.ts";
const LOCKAB = `import { Lock, Thread, threadArgs } from "threadlens";

function doA(lockA: Lock, lockB: Lock): void {
  lockA.acquireSync();
  sleep(10);
  lockB.acquireSync();
  lockB.release();
  lockA.release();
}

function doB(lockA: Lock, lockB: Lock): void {
  lockB.acquireSync();
  sleep(10);
  lockA.acquireSync();
  lockA.release();
  lockB.release();
}
`;
const LOCKAB_FIXED_DOB = `function doB(lockA: Lock, lockB: Lock): void {
  lockA.acquireSync();
  sleep(10);
  lockB.acquireSync();
  lockA.release();
  lockB.release();
}`;

function readFrom(files: Record<string, string>): (file: string) => string | undefined {
  return (file) => files[file];
}

function suggestion(finding: Finding | undefined, kind: string): Suggestion {
  const found = finding?.suggestions.find((s) => s.kind === kind);
  assert.ok(found !== undefined, `a ${kind} suggestion`);
  return found;
}

/** S1's deadlock over LOCKAB; `column` is where sites point in an acquisition line. */
function s1Deadlock(column: (line: string) => number): TraceBuilder {
  const lines = LOCKAB.split("\n");
  const b = new TraceBuilder();
  const site = (line: number, fn: string): number =>
    b.site(line, { file: LOCKAB_FILE, fn, column: column(lines[line - 1] ?? "") });
  const main = b.thread("main");
  const lockA = b.lock("lockA");
  const lockB = b.lock("lockB");
  const [w1, w2] = [b.worker("worker-1", main), b.worker("worker-2", main)];
  b.acquired(w1, lockA, site(4, "doA")).acquired(w1, lockB, site(6, "doA"));
  b.release(w1, lockB).release(w1, lockA);
  b.acquired(w2, lockA, site(4, "doA")).acquired(w1, lockB, site(12, "doB"));
  b.request(w2, lockB, site(6, "doA")).request(w1, lockA, site(14, "doB"));
  return b;
}

const AT_METHOD = (line: string): number => line.indexOf(".acquire") + 2;
const AT_RECEIVER = (line: string): number => line.search(/\S/) + 1;

describe("suggestions", () => {
  for (const [where, column] of [
    ["the method name", AT_METHOD],
    ["the call expression", AT_RECEIVER],
  ] as const) {
    test(`S1 global order: swap the receivers in doB (site column at ${where})`, () => {
      const findings = analyzeTrace(s1Deadlock(column).build(), {
        cwd: CWD,
        readSource: readFrom({ [LOCKAB_FILE]: LOCKAB }),
      });
      const order = suggestion(findings[0], "global-order");
      assert.equal(
        order.message,
        "take lockA before lockB everywhere (the order 2 threads follow): swap the two " +
          "acquisitions in doB (examples/lockab.ts:14), which takes lockB then lockA; with one " +
          "order no two threads can each hold one lock and wait for the other",
      );
      assert.equal(order.edit?.file, "examples/lockab.ts");
      assert.deepEqual(order.edit?.replacements, [
        { line: 12, column: 3, endLine: 12, endColumn: 8, newText: "lockA" },
        { line: 14, column: 3, endLine: 14, endColumn: 8, newText: "lockB" },
      ]);
      const fixed = applyTextEdit(LOCKAB, order.edit ?? { file: "", replacements: [] });
      assert.ok(fixed.includes(LOCKAB_FIXED_DOB), fixed);
      assert.equal(suggestion(findings[0], "use-rlock").edit, undefined);
      assert.match(
        suggestion(findings[0], "acquire-all").message,
        /acquireAll\(\[lockA, lockB\]\)/,
      );
    });
  }

  test("without source text the suggestion is a message only", () => {
    const findings = analyzeTrace(s1Deadlock(AT_METHOD).build(), { cwd: CWD });
    assert.equal(suggestion(findings[0], "global-order").edit, undefined);
  });

  test("potential deadlock, one thread per order: creation order decides, doB changes", () => {
    const lines = LOCKAB.split("\n");
    const b = new TraceBuilder();
    const site = (line: number, fn: string): number =>
      b.site(line, { file: LOCKAB_FILE, fn, column: AT_METHOD(lines[line - 1] ?? "") });
    const main = b.thread("main");
    const lockA = b.lock("lockA");
    const lockB = b.lock("lockB");
    const [w1, w2] = [b.worker("worker-1", main), b.worker("worker-2", main)];
    b.acquired(w2, lockB, site(12, "doB")).acquired(w2, lockA, site(14, "doB"));
    b.release(w2, lockA).release(w2, lockB);
    b.acquired(w1, lockA, site(4, "doA")).acquired(w1, lockB, site(6, "doA"));
    b.release(w1, lockB).release(w1, lockA);
    for (const w of [w1, w2]) b.exit(w).join(main, w);
    const findings = analyzeTrace(b.build(), {
      cwd: CWD,
      readSource: readFrom({ [LOCKAB_FILE]: LOCKAB }),
    });
    assert.deepEqual(
      findings.map((f) => f.kind),
      ["potential-deadlock"],
    );
    const edit = suggestion(findings[0], "global-order").edit;
    assert.ok(edit !== undefined);
    assert.ok(applyTextEdit(LOCKAB, edit).includes(LOCKAB_FIXED_DOB));
  });

  test("no swap edit across functions", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    const lockA = b.lock("lockA");
    const lockB = b.lock("lockB");
    const [w1, w2] = [b.worker("worker-1", main), b.worker("worker-2", main)];
    b.acquired(w1, lockA, b.site(4, { file: LOCKAB_FILE, fn: "doA", column: 3 }));
    b.acquired(w2, lockB, b.site(12, { file: LOCKAB_FILE, fn: "caller", column: 3 }));
    b.request(w1, lockB, b.site(6, { file: LOCKAB_FILE, fn: "doA", column: 3 }));
    b.request(w2, lockA, b.site(14, { file: LOCKAB_FILE, fn: "doB", column: 3 }));
    const findings = analyzeTrace(b.build(), {
      cwd: CWD,
      readSource: readFrom({ [LOCKAB_FILE]: LOCKAB }),
    });
    assert.equal(findings[0]?.kind, "deadlock");
    assert.equal(suggestion(findings[0], "global-order").edit, undefined);
  });

  test("no swap edit when the calls are in different blocks (two anonymous functions)", () => {
    const source = `spawn(async () => {\n  await lockB.acquire();\n});\nspawn(async () => {\n  await lockA.acquire();\n});\n`;
    const b = new TraceBuilder();
    const main = b.thread("main");
    const lockA = b.lock("lockA");
    const lockB = b.lock("lockB");
    const at = (line: number): number =>
      b.site(line, { file: LOCKAB_FILE, fn: "<anonymous>", column: 9 });
    const [w1, w2] = [b.worker("worker-1", main), b.worker("worker-2", main)];
    b.acquired(w1, lockA, at(5))
      .acquired(w2, lockB, at(2))
      .request(w1, lockB, at(2))
      .request(w2, lockA, at(5));
    const findings = analyzeTrace(b.build(), {
      cwd: CWD,
      readSource: readFrom({ [LOCKAB_FILE]: source }),
    });
    const order = suggestion(findings[0], "global-order");
    assert.equal(order.edit, undefined);
    assert.match(order.message, /swap the two acquisitions in examples\/lockab\.ts:5, which/);
  });

  test("findCallReceiver: simple receivers only", () => {
    const lockB = { start: 2, text: "lockB", method: "acquireSync", end: 19 };
    assert.deepEqual(findCallReceiver("  lockB.acquireSync();", 9), lockB);
    assert.deepEqual(findCallReceiver("  lockB.acquireSync();", 3), lockB);
    const lockA = { start: 8, text: "this.lockA", method: "acquire", end: 26 };
    assert.deepEqual(findCallReceiver("  await this.lockA.acquire();", 3), lockA);
    assert.deepEqual(findCallReceiver("  await this.lockA.acquire();", 20), lockA);
    assert.deepEqual(findCallReceiver("  await table.acquireRead();", 15), {
      start: 8,
      text: "table",
      method: "acquireRead",
      end: 25,
    });
    assert.equal(findCallReceiver("  accounts.a.acquireSync();", 14), undefined);
    assert.equal(findCallReceiver("  locks[0].acquireSync();", 12), undefined);
    assert.equal(findCallReceiver("  withLock(lockA, fn);", 3), undefined);
    assert.equal(findCallReceiver("  lockA.release();", 9), undefined);
  });
});

describe("use-rlock edit for a self-deadlock (S2)", () => {
  const FILE = "/proj/src/s2.ts";

  function selfDeadlock(source: string): Finding | undefined {
    const lines = source.split("\n");
    const creationLine = lines.findIndex((l) => l.includes("new Lock(")) + 1;
    const b = new TraceBuilder();
    const main = b.thread("main");
    const creation = b.site(creationLine, { file: FILE, column: 14 });
    const lock = b.lock("lock", creation);
    b.acquired(main, lock, b.site(5, { file: FILE })).request(
      main,
      lock,
      b.site(6, { file: FILE }),
    );
    const findings = analyzeTrace(b.build(), {
      cwd: CWD,
      readSource: readFrom({ [FILE]: source }),
    });
    assert.equal(findings[0]?.kind, "self-deadlock");
    return findings[0];
  }

  function fixed(source: string): string | undefined {
    const edit = suggestion(selfDeadlock(source), "use-rlock").edit;
    return edit === undefined ? undefined : applyTextEdit(source, edit);
  }

  const body = `
const lock = new Lock("lock");
function again(): void {
  lock.acquireSync();
  lock.acquireSync();
}
`;

  test("Lock no longer used: the import names RLock instead", () => {
    const source = `import { Lock, Thread } from "threadlens";\n${body}`;
    assert.equal(
      fixed(source),
      `import { RLock, Thread } from "threadlens";\n${body.replace("new Lock(", "new RLock(")}`,
    );
  });

  test("Lock still used elsewhere: RLock is added to the import", () => {
    const source = `import { Lock, Thread } from "threadlens";\n${body}function f(l: Lock): void {}\n`;
    assert.equal(
      fixed(source),
      `import { Lock, RLock, Thread } from "threadlens";\n${body.replace("new Lock(", "new RLock(")}function f(l: Lock): void {}\n`,
    );
  });

  test("a Lock in comments and strings is no use of it (S2's source)", () => {
    const source = `// S2: the same program with a plain Lock.\nimport { Lock } from "threadlens";\nconst text = "Lock";\n${body}`;
    assert.equal(
      fixed(source),
      `// S2: the same program with a plain Lock.\nimport { RLock } from "threadlens";\nconst text = "Lock";\n${body.replace("new Lock(", "new RLock(")}`,
    );
  });

  test("RLock imported already: only the constructor changes", () => {
    const source = `import {\n  Lock,\n  RLock,\n} from "threadlens";\n${body}`;
    assert.equal(
      fixed(source),
      `import {\n  Lock,\n  RLock,\n} from "threadlens";\n${body.replace("new Lock(", "new RLock(")}`,
    );
  });

  test("no named threadlens import: message only", () => {
    const source = `import * as tl from "threadlens";\nconst Lock = tl.Lock;\n${body}`;
    assert.equal(fixed(source), undefined);
    assert.match(
      suggestion(selfDeadlock(source), "use-rlock").message,
      /^create lock as an RLock in main \(src\/s2\.ts:\d+\): an RLock may be taken again/,
    );
  });
});
