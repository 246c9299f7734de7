// Hangs whose waits form a cycle through events or queues (issue 11, true reasons): each
// thread's clause names who would wake it and where, after that thread's own wait; a wait that
// nothing in the program would end keeps its plain reason. Through the real CLI, `--json`.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { Finding } from "../../src/protocol/report.ts";
import { threadlensJson } from "./cliJson.ts";
import { lineIn } from "./sourceLines.ts";

const fixtures = "test/fixtures/hangs";

/** `threadlens run --json` of a fixture that must give exactly one finding. */
function runJson(fixture: string): { status: number | null; finding: Finding } {
  const { status, report } = threadlensJson("run", `${fixtures}/${fixture}`);
  assert.equal(report.findings.length, 1, JSON.stringify(report.findings, null, 1));
  return { status, finding: report.findings[0] as Finding };
}

const lineOf = (fixture: string, text: string, n = 1): number =>
  lineIn(path.join(fixtures, fixture), text, n);

test("two tasks each waiting for an event the other sets after its wait: a cycle of waits", () => {
  const { status, finding } = runJson("event-cycle.ts");
  assert.equal(status, 2);
  assert.equal(finding.kind, "hang");
  assert.deepEqual([...finding.locks].sort(), ["ping", "pong"]);
  assert.deepEqual([...finding.threads].sort(), ["client", "main", "server"]);
  const file = `${fixtures}/event-cycle.ts`;
  const pongSet = lineOf("event-cycle.ts", "pong.set()");
  const pingSet = lineOf("event-cycle.ts", "ping.set()");
  assert.match(
    finding.message,
    /^hang: a cycle of waits \((server → client → server|client → server → client)\): each would wake the next only after its own wait ends: /,
  );
  assert.ok(
    finding.message.includes(
      `server waits on event ping, which client would set() (${file}:${pingSet}) only after its own wait`,
    ),
    finding.message,
  );
  assert.ok(
    finding.message.includes(
      `client waits on event pong, which server would set() (${file}:${pongSet}) only after its own wait`,
    ),
    finding.message,
  );
  assert.doesNotMatch(finding.message, /no live thread can set/);
  assert.deepEqual(
    finding.sites.map((s) => `${s.thread} ${s.role} ${s.line}`).sort(),
    [
      `client waits ${lineOf("event-cycle.ts", "await pong.wait()")}`,
      `main waits ${lineOf("event-cycle.ts", "spawn(client")}`,
      `server waits ${lineOf("event-cycle.ts", "await ping.wait()")}`,
    ].sort(),
  );
});

test("two tasks each getting from a queue the other fills after its get: a cycle of waits", () => {
  const { status, finding } = runJson("queue-cycle.ts");
  assert.equal(status, 2);
  assert.equal(finding.kind, "hang");
  assert.deepEqual([...finding.locks].sort(), ["replies", "requests"]);
  const file = `${fixtures}/queue-cycle.ts`;
  assert.ok(
    finding.message.includes(
      `worker waits on queue requests, which caller would put() (${file}:${lineOf("queue-cycle.ts", "await requests.put(")}) only after its own wait`,
    ),
    finding.message,
  );
  assert.ok(
    finding.message.includes(
      `caller waits on queue replies, which worker would put() (${file}:${lineOf("queue-cycle.ts", "await replies.put(")}) only after its own wait`,
    ),
    finding.message,
  );
});

test("an event nothing in the program sets keeps its plain reason", () => {
  const { status, finding } = runJson("event-never-set.ts");
  assert.equal(status, 2);
  assert.equal(finding.kind, "hang");
  assert.deepEqual(finding.locks, ["ready"]);
  assert.match(
    finding.message,
    /^hang: every thread is blocked and none can wake the others: .*waiter waits on event ready, which no live thread can set$/,
  );
});
