// A primitive posted and received back in its own thread revives to the very same object
// (primitive.ts), though it is only remembered once it is posted: remembering every new
// primitive at once took a WeakRef to it, and the engine keeps a WeakRef's target alive to the
// end of the running job, so a long synchronous loop creating primitives kept them all.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { MessageChannel } from "node:worker_threads";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  Barrier,
  BoundedSemaphore,
  Condition,
  Event,
  Lock,
  Queue,
  RLock,
  RWLock,
  Semaphore,
  revive,
} from "threadlens";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** `value` posted through a real port, as it arrives. */
async function posted(value: unknown): Promise<unknown> {
  const { port1, port2 } = new MessageChannel();
  try {
    const arrived = new Promise<unknown>((resolve) => port2.once("message", resolve));
    port1.postMessage(value);
    return await arrived;
  } finally {
    port1.close();
    port2.close();
  }
}

test("every primitive posted and received back revives to itself, its kind intact", async () => {
  const primitives = [
    new Lock(),
    new RLock(),
    new RWLock(),
    new Semaphore(2),
    new BoundedSemaphore(1),
    new Condition(),
    new Event(),
    new Barrier(2),
    new Queue(),
  ];
  const kinds = primitives.map((p) => String(p).replace(/\(.*$/, ""));
  // Posted through a port, each arrives as itself (the runtime revives what a port receives).
  const arrived = (await posted(primitives)) as unknown[];
  assert.equal(arrived.length, primitives.length);
  for (const [i, value] of arrived.entries()) assert.equal(value, primitives[i], kinds[i]);
  // A raw structured-clone copy carries the kind and revives to the original.
  for (const [i, primitive] of primitives.entries()) {
    const copy = structuredClone(primitive) as unknown as Record<string, unknown>;
    assert.notEqual(copy, primitive);
    assert.equal(copy["__threadlens__"], kinds[i]);
    assert.equal(revive(copy), primitive, kinds[i]);
  }
  // Never posted before this point: remembered when first cloned, like the others.
  const late = new Lock();
  assert.equal(revive(structuredClone(late)), late);
  assert.deepEqual(
    primitives.map((p) => String(p).replace(/\(.*$/, "")),
    kinds,
  );
});

/**
 * Runs ES module `script` under the preload with node `flag` and THREADLENS_RECORD=`record`;
 * returns its standard output, trimmed (it must exit 0).
 */
function runModule(script: string, flag: string, record: string): string {
  const env: NodeJS.ProcessEnv = { ...process.env, THREADLENS_RECORD: record };
  delete env["NODE_TEST_CONTEXT"];
  delete env["NODE_OPTIONS"];
  const r = spawnSync(
    process.execPath,
    [
      flag,
      "--import",
      path.join(root, "dist/register.mjs"),
      "--input-type=module",
      "--eval",
      script,
    ],
    { cwd: root, env, encoding: "utf8", timeout: 120_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test("primitives created in a long synchronous loop are not kept alive until it ends", () => {
  const script = [
    'import { Lock, Semaphore } from "threadlens";',
    "const n = 60000;",
    "globalThis.gc();",
    "const before = process.memoryUsage().heapUsed;",
    "for (let i = 0; i < n; i++) {",
    "  const lock = new Lock(); lock.acquireSync(); lock.release();",
    "  const units = new Semaphore(1); units.acquireSync(); units.release();",
    "}",
    "globalThis.gc();",
    "console.log((process.memoryUsage().heapUsed - before) / n);",
  ].join("\n");
  const perPair = Number(runModule(script, "--expose-gc", "0"));
  // Kept alive, a Lock and a Semaphore were about 2 KB of heap per iteration.
  assert.ok(perPair < 200, `${perPair} bytes of heap per Lock and Semaphore`);
});

test("primitives keep fast properties and one shape per kind, new, posted or revived", () => {
  // A primitive in V8's dictionary mode (what turning its kind field from a data property into
  // an accessor did) makes every field access of every acquire and release a stub call.
  const script = [
    'import * as tl from "threadlens";',
    "const make = [",
    '  ["Lock", () => new tl.Lock()], ["RLock", () => new tl.RLock()],',
    '  ["RWLock", () => new tl.RWLock()], ["Semaphore", () => new tl.Semaphore(2)],',
    '  ["BoundedSemaphore", () => new tl.BoundedSemaphore(1)],',
    '  ["Condition", () => new tl.Condition()], ["Event", () => new tl.Event()],',
    '  ["Barrier", () => new tl.Barrier(2)], ["Queue", () => new tl.Queue()],',
    "];",
    "const out = [];",
    "for (const [kind, fresh] of make) {",
    "  const a = fresh(), b = fresh();",
    "  const newFast = %HasFastProperties(a) && %HaveSameMap(a, b);",
    "  const copy = structuredClone(a);",
    "  const postedFast = %HasFastProperties(a) && copy.__threadlens__ === kind;",
    "  copy.id = 1e9 + out.length;", // an id this thread never met: revived as a new object
    "  const revived = tl.revive(copy);",
    "  const revivedFast = revived !== a && %HasFastProperties(revived);",
    "  out.push([kind, newFast, postedFast, revivedFast]);",
    "}",
    "console.log(JSON.stringify(out));",
  ].join("\n");
  for (const record of ["0", "1"]) {
    const out = runModule(script, "--allow-natives-syntax", record);
    const rows = JSON.parse(out) as [string, boolean, boolean, boolean][];
    assert.deepEqual(
      rows,
      [
        "Lock",
        "RLock",
        "RWLock",
        "Semaphore",
        "BoundedSemaphore",
        "Condition",
        "Event",
        "Barrier",
        "Queue",
      ].map((kind) => [kind, true, true, true]),
      `THREADLENS_RECORD=${record}`,
    );
  }
});
