// Threads of child processes in traces (DESIGN 3.3): a thread record's pid survives the text
// format, and the Perfetto export puts each child process's threads in a process of their own.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { MetaRecord, Trace } from "../../../src/protocol/events.ts";
import { formatMeta } from "../../../src/protocol/traceText.ts";
import { parseTrace } from "../../../src/protocol/traceTextReader.ts";
import { toPerfetto } from "../../../src/protocol/perfetto.ts";

const META: MetaRecord[] = [
  { type: "thread", ident: 1, name: "main", kind: "main", parent: 0, daemon: false },
  { type: "thread", ident: 2, name: "job", kind: "main", parent: 1, daemon: false, pid: 4242 },
  {
    type: "thread",
    ident: 1048576,
    name: "job/first",
    kind: "worker",
    parent: 2,
    daemon: false,
    pid: 4242,
  },
  { type: "object", id: 5, kind: "Lock", name: "lockA", site: 0, capacity: 0 },
];

const TRACE: Trace = {
  meta: META,
  events: [
    { kind: "acquired", thread: 1048576, object: 5, site: 0, time: 10, flag: false },
    { kind: "release", thread: 1048576, object: 5, site: 0, time: 20, flag: false },
    { kind: "acquired", thread: 1, object: 5, site: 0, time: 30, flag: false },
    { kind: "release", thread: 1, object: 5, site: 0, time: 40, flag: false },
  ],
};

test("a thread's pid is written as pid= and read back; threads without one stay without", () => {
  assert.equal(formatMeta(META[0]!), "thread 1 main kind=main parent=0 daemon=false");
  assert.equal(
    formatMeta(META[2]!),
    "thread 1048576 job/first kind=worker parent=2 daemon=false pid=4242",
  );
  const text = ["# threadlens trace 1", ...META.map(formatMeta), ""].join("\n");
  assert.deepEqual(parseTrace(text).meta, META);
});

test("Perfetto: a child process's threads are in its own process (pid), named after it", () => {
  const out = toPerfetto(TRACE).traceEvents;
  const processes = out
    .filter((e) => e.name === "process_name")
    .map((e) => `${e.pid} ${String(e.args?.["name"])}`);
  assert.deepEqual(processes, ["1 threadlens", "4242 job"]);
  const pidOfTrack = (tid: number): number[] => [
    ...new Set(out.filter((e) => e.tid === tid).map((e) => e.pid)),
  ];
  assert.deepEqual(pidOfTrack(1), [1]);
  assert.deepEqual(pidOfTrack(2), [4242]);
  assert.deepEqual(pidOfTrack(1048576), [4242]);
  // The hand-off from the child's thread to main is still one flow (its id binds across pids).
  const flows = out.filter((e) => e.ph === "s" || e.ph === "f").map((e) => `${e.ph} ${e.pid}`);
  assert.deepEqual(flows.sort(), ["f 1", "s 4242"]);
});
