// threadlens' stack reading (src/runtime/siteCache.ts): its copy of Node's source-mapped
// formatter must print every frame exactly as Node does (sites and findings cite these
// lines), and a call path seen before must give its site without formatting again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatCallSites, siteOfCallSites } from "../../src/runtime/siteCache.ts";

type Holder = { stack?: unknown };

/** Two captures of the same call path: read by Node's formatter and by formatCallSites. */
function twoCaptures(): [string, string] {
  const holders = [0, 1].map(() => {
    const holder: Holder = {};
    Error.captureStackTrace(holder);
    return holder;
  });
  const [byNode, byCopy] = holders as [Holder, Holder];
  const node = String(byNode.stack);
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = formatCallSites;
  try {
    return [node, String(byCopy.stack)];
  } finally {
    Error.prepareStackTrace = previous;
  }
}

class Account {
  readonly stacks: [string, string];
  constructor() {
    this.stacks = twoCaptures();
  }
}

function nested(depth: number): [string, string] {
  return depth === 0 ? twoCaptures() : nested(depth - 1);
}

async function afterAwait(): Promise<[string, string]> {
  await new Promise((resolve) => setImmediate(resolve));
  return twoCaptures();
}

function assertSame([node, copy]: [string, string]): void {
  assert.ok(process.sourceMapsEnabled, "the preload turns source maps on");
  assert.match(node, /siteCache\.test\.ts:\d+:\d+/, "frames of this file are source-mapped");
  assert.equal(copy, node);
}

test("formatCallSites prints a stack exactly as Node does: nested calls, a constructor, async frames, Node's own frames", async () => {
  assertSame(nested(3));
  assertSame(new Account().stacks);
  const [node, copy] = await afterAwait();
  assert.match(node, /\(node:internal\//, "frames of Node's own");
  assertSame([node, copy]);
  const all = await Promise.all([afterAwait(), afterAwait()]);
  for (const pair of all) assertSame(pair);
});

test("siteOfCallSites: a call path seen before gives its site without formatting; another is formatted", () => {
  const formatted: string[] = [];
  const intern = (stack: string): number => {
    formatted.push(stack);
    return formatted.length;
  };
  const siteHere = (): number => {
    const holder: Holder = {};
    const previous = Error.prepareStackTrace;
    Error.prepareStackTrace = (error, trace) => siteOfCallSites(error, trace, intern);
    try {
      Error.captureStackTrace(holder);
      return holder.stack as number;
    } finally {
      Error.prepareStackTrace = previous;
    }
  };
  const sites = [0, 1, 2].map(() => siteHere());
  assert.deepEqual(sites, [1, 1, 1]);
  assert.equal(formatted.length, 1);
  const other = siteHere();
  assert.equal(other, 2);
  assert.equal(formatted.length, 2);
  assert.match(formatted[0] ?? "", /^Error\n {4}at siteHere \(.*siteCache\.test\.ts:\d+:\d+\)/);
});
