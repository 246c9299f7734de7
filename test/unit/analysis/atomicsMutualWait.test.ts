// A hang whose threads wait on hand-written Atomics words names a mutual wait when the record
// shows it: each thread waits on a word only the other has notified, and the other notified it
// after returning from the wait it is in now. Anything less keeps the plain per-thread clause.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { analyzeTrace } from "../../../src/analysis/index.ts";
import type { Finding } from "../../../src/protocol/report.ts";
import { CWD, TraceBuilder } from "./traceBuilder.ts";

const REPLY = "Int32Array[1]@worker.ts:19";
const REQUEST = "Int32Array[0]@worker.ts:26";

/**
 * Two rounds of request/reply, then the client sends a request the server does not see and
 * both wait. `serverWaitLine` is where the server waited in the rounds (26 = where it is now).
 */
function handshake(
  options: {
    serverWaitLine?: number;
    serverWaitsBlocked?: boolean;
    mainNotifiesReply?: boolean;
  } = {},
) {
  const b = new TraceBuilder();
  const main = b.thread("main");
  const client = b.worker("client", main);
  const server = b.worker("server", main);
  const reply = b.object("Atomics", REPLY);
  const request = b.object("Atomics", REQUEST);
  const clientWait = b.site(19);
  const serverWait = b.site(26);
  // Site ids stand for whole stacks: the same wait reached the same way is the same id.
  const serverRoundWait =
    options.serverWaitLine === undefined ? serverWait : b.site(options.serverWaitLine);
  const sleep = b.site(10);
  const sleepWord = b.object("Atomics", "Int32Array[0]@worker.ts:10");
  if (options.mainNotifiesReply === true) b.event("notify", main, reply);
  for (let round = 0; round < 2; round++) {
    if (options.serverWaitsBlocked !== false) b.waitBegin(server, request, "wait", serverRoundWait);
    b.event("notify", client, request);
    if (options.serverWaitsBlocked !== false) b.waitEnd(server, request, true);
    b.waitBegin(client, reply, "wait", clientWait);
    // The server's sleep: a timed wait that times out is no turn handed over.
    b.waitBegin(server, sleepWord, "wait", sleep, true).waitEnd(server, sleepWord, false);
    b.event("notify", server, reply);
    b.waitEnd(client, reply, true);
  }
  // Atomics.wait blocks: the runtime says each loop is idle as its thread blocks; main's
  // async join leaves its loop idle too.
  b.waitBegin(server, request, "wait", serverWait).blocked(server);
  b.event("notify", client, request);
  b.waitBegin(client, reply, "wait", clientWait).blocked(client);
  b.joinBegin(main, server, b.site(12)).idle(main);
  return b;
}

function hangOf(b: TraceBuilder): Finding {
  const findings = analyzeTrace(b.build(), { cwd: CWD });
  assert.deepEqual(
    findings.map((f) => f.kind),
    ["hang"],
  );
  return findings[0] as Finding;
}

const PREFIX =
  "hang: every thread is blocked and none can wake the others: main joins server, which is blocked too; ";
const UNNAMED =
  PREFIX +
  `client waits in Atomics.wait on ${REPLY}, which no live thread can notify; ` +
  `server waits in Atomics.wait on ${REQUEST}, which no live thread can notify`;

describe("hang: Atomics mutual wait", () => {
  test("a request/reply handshake that ends with both waiting names the two threads and addresses", () => {
    const finding = hangOf(handshake());
    assert.equal(
      finding.message,
      PREFIX +
        "client and server wait for each other: " +
        `client waits in Atomics.wait on ${REPLY}, which only server has notified, ` +
        `and did so after returning from the wait on ${REQUEST} it is in now, ` +
        `and server waits in Atomics.wait on ${REQUEST}, which only client has notified, ` +
        `and did so after returning from the wait on ${REPLY} it is in now`,
    );
    assert.deepEqual(finding.threads, ["main", "client", "server"]);
    assert.deepEqual(finding.locks, [REPLY, REQUEST]);
    assert.deepEqual(
      finding.sites.map((s) => [s.thread, s.line]),
      [
        ["main", 12],
        ["client", 19],
        ["server", 26],
      ],
    );
  });

  test("a third thread that also notified the address leaves it unnamed", () => {
    assert.equal(hangOf(handshake({ mainNotifiesReply: true })).message, UNNAMED);
  });

  test("notifies after a wait elsewhere than where the notifier waits now leave it unnamed", () => {
    assert.equal(hangOf(handshake({ serverWaitLine: 30 })).message, UNNAMED);
  });

  test("notifies after no woken wait (only a timed-out sleep) leave it unnamed", () => {
    assert.equal(hangOf(handshake({ serverWaitsBlocked: false })).message, UNNAMED);
  });
});
