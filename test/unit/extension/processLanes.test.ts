// The views of a run with child processes (DESIGN 3.3): the Threads view's lanes and the
// debug adapter's thread list keep each process's threads together (the program's own
// first), the lanes carry their process's label, and the page draws one header per process.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { groupByProcess, processNames, processOf } from "../../../src/analysis/processes.ts";
import { ProgramModel } from "../../../src/adapter/programModel.ts";
import { threadsOf } from "../../../src/adapter/stackTraces.ts";
import { TraceModel } from "../../../src/extension/traceModel.ts";
import { processHeaders } from "../../../media/webview/processHeaders.ts";
import { CWD, TraceBuilder } from "../analysis/traceBuilder.ts";

const PEER = 4242;
const OTHER = 5151;

/**
 * main and its worker; `peer` (pid 4242) with a thread of its own; `other` (pid 5151). Their
 * threads are announced interleaved, as the recorder hears of them. main and peer deadlock
 * over lockA/lockB across the processes.
 */
function crossProcessDeadlock(): TraceBuilder {
  const b = new TraceBuilder();
  const main = b.thread("main");
  const peer = b.thread("peer", { kind: "main", parent: main, pid: PEER });
  const other = b.thread("other", { kind: "main", parent: main, pid: OTHER });
  const peerWorker = b.worker("peer/helper", peer, { pid: PEER });
  b.worker("worker-1", main);
  b.thread("other/task", { kind: "task", parent: other, pid: OTHER });
  const lockA = b.lock("lockA");
  const lockB = b.lock("lockB");
  const mainWaits = b.site(11);
  const peerWaits = b.site(11, { file: "/proj/src/peer.ts" });
  b.acquired(main, lockA, b.site(8));
  b.acquired(peer, lockB, b.site(8, { file: "/proj/src/peer.ts" }));
  b.request(main, lockB, mainWaits);
  b.request(peer, lockA, peerWaits);
  b.exit(peerWorker);
  return b;
}

function traceModel(b: TraceBuilder): TraceModel {
  const m = new TraceModel("run", CWD);
  m.addTrace(b.build());
  return m;
}

describe("processes in the views", () => {
  test("lanes are grouped per process, the program's own first, each labelled with its process", () => {
    const snapshot = traceModel(crossProcessDeadlock()).snapshot("", {
      start: 0,
      end: undefined,
      width: 500,
    });
    assert.deepEqual(
      snapshot.lanes.map((l) => [l.name, l.process, l.inCycle]),
      [
        ["main", "main process", true],
        ["worker-1", "main process", false],
        ["peer", `peer (pid ${PEER})`, true],
        ["peer/helper", `peer (pid ${PEER})`, false],
        ["other", `other (pid ${OTHER})`, false],
        ["other/task", `other (pid ${OTHER})`, false],
      ],
    );
    // The wait-for edges cross the processes and close the cycle.
    assert.deepEqual(
      snapshot.edges.map((e) => [e.lock, e.inCycle, e.site?.file]),
      [
        ["lockB", true, "/proj/src/app.ts"],
        ["lockA", true, "/proj/src/peer.ts"],
      ],
    );
    assert.deepEqual(processHeaders(snapshot.lanes), [
      { lane: 0, label: "main process", lanes: 2 },
      { lane: 2, label: `peer (pid ${PEER})`, lanes: 2 },
      { lane: 4, label: `other (pid ${OTHER})`, lanes: 2 },
    ]);
  });

  test("a run of one process draws no process headers, and its lanes keep their order", () => {
    const b = new TraceBuilder();
    const main = b.thread("main");
    b.worker("worker-2", main);
    b.worker("worker-1", main);
    const snapshot = traceModel(b).snapshot("", { start: 0, end: undefined, width: 500 });
    assert.deepEqual(
      snapshot.lanes.map((l) => [l.name, l.process]),
      [
        ["main", "main process"],
        ["worker-2", "main process"],
        ["worker-1", "main process"],
      ],
    );
    assert.deepEqual(processHeaders(snapshot.lanes), []);
  });

  test("the Call Stack lists every live thread of every process, each process's together", () => {
    const b = crossProcessDeadlock();
    const model = new ProgramModel();
    for (const m of b.meta) model.addMeta(m);
    model.addEvents(b.events);
    assert.deepEqual(
      threadsOf(model, undefined).map((t) => t.name),
      ["main", "worker-1", "peer", "other", "other/task"],
    );
  });

  test("a process is named after its main thread, else its first thread; unknown pids say so", () => {
    const threads = [
      { ident: 1, name: "main", kind: "main", parent: 0, daemon: false },
      { ident: 9, name: "cluster-worker-1/t", kind: "worker", parent: 8, daemon: false, pid: 7 },
      { ident: 8, name: "cluster-worker-1", kind: "main", parent: 1, daemon: false, pid: 7 },
      { ident: 10, name: "lone/t", kind: "worker", parent: 0, daemon: false, pid: 6 },
    ] as const;
    const names = processNames(threads);
    assert.deepEqual(
      [...names],
      [
        [7, "cluster-worker-1"],
        [6, "lone/t"],
      ],
    );
    assert.deepEqual(processOf(threads[1].pid, names), {
      pid: 7,
      label: "cluster-worker-1 (pid 7)",
    });
    assert.deepEqual(processOf(undefined, names), { pid: undefined, label: "main process" });
    assert.deepEqual(processOf(3, names), { pid: 3, label: "process (pid 3)" });
    assert.deepEqual(
      groupByProcess([3, 1, 7, 2, 6], (n) => (n === 1 || n === 2 ? undefined : n % 2)),
      [1, 2, 3, 7, 6],
    );
  });
});
