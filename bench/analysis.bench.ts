// Analysis throughput (`npm run bench:analysis`): a generated trace of 10 M events (16 threads,
// 64 locks, nested acquisitions in one global order plus one inversion) fed to LiveAnalysis in
// the recorder's batch size, with an online check per batch as the recorder does, then finish().
// Prints events per second; the goal is >= 5 M events/s. Sizes scale with BENCH_SCALE.
import { LiveAnalysis } from "../src/analysis/index.ts";
import type { EventKind, MetaRecord, TraceEvent } from "../src/protocol/events.ts";

const scale = Number(process.env["BENCH_SCALE"] ?? "1");
const TOTAL = Math.round(10_000_000 * scale);
const THREADS = 16;
const LOCKS = 64;
const BATCH = 20_000;

function meta(): MetaRecord[] {
  const records: MetaRecord[] = [];
  for (let t = 1; t <= THREADS; t++) {
    records.push({
      type: "thread",
      ident: t,
      name: t === 1 ? "main" : `worker-${t}`,
      kind: t === 1 ? "main" : "worker",
      parent: t === 1 ? 0 : 1,
      daemon: false,
    });
  }
  records.push({
    type: "site",
    id: 1000,
    frames: [{ file: "/bench/app.ts", line: 10, column: 5, function: "work" }],
  });
  for (let l = 0; l < LOCKS; l++)
    records.push({
      type: "object",
      id: 100 + l,
      kind: "Lock",
      name: `lock${l}`,
      site: 1000,
      capacity: 0,
    });
  return records;
}

/** Events of thread `t`: pairs of nested acquisitions in ascending lock order; thread 2 inverts one pair once. */
function* events(): Generator<TraceEvent> {
  let time = 0;
  let n = 0;
  const ev = (kind: EventKind, thread: number, object: number, site = 0): TraceEvent => ({
    kind,
    thread,
    object,
    site,
    time,
    flag: false,
  });
  for (let t = 2; t <= THREADS; t++) yield ev("thread-start", t, 1);
  n += THREADS - 1;
  let round = 0;
  while (n < TOTAL - 8) {
    time += 1;
    const t = 2 + (round % (THREADS - 1));
    const a = (round * 7) % LOCKS;
    const b = (a + 1 + (round % 5)) % LOCKS;
    const [first, second] =
      t === 2 && round === 0 ? [Math.max(a, b), Math.min(a, b)] : [Math.min(a, b), Math.max(a, b)];
    yield ev("acquired", t, 100 + first, round < 1000 ? 1000 : 0);
    yield ev("acquired", t, 100 + second, round < 1000 ? 1000 : 0);
    yield ev("release", t, 100 + second);
    yield ev("release", t, 100 + first);
    n += 4;
    round++;
  }
}

const analysis = new LiveAnalysis({ cwd: "/bench" });
for (const record of meta()) analysis.add(record);
const started = performance.now();
let batch: TraceEvent[] = [];
let count = 0;
for (const e of events()) {
  batch.push(e);
  if (batch.length === BATCH) {
    analysis.addEvents(batch);
    analysis.check(e.time);
    count += batch.length;
    batch = [];
  }
}
analysis.addEvents(batch);
count += batch.length;
const findings = analysis.finish();
const seconds = (performance.now() - started) / 1000;
const rate = count / seconds;
console.log(
  `analysis: ${count} events in ${seconds.toFixed(2)} s = ${(rate / 1e6).toFixed(2)} M events/s (goal >= 5 M/s: ${rate >= 5e6 ? "met" : "NOT met"})`,
);
for (const f of findings) {
  const sites = f.sites.map((x) => `${x.role}@${x.thread}:${x.line}`).join(" ");
  console.log(`finding: ${f.kind} ${f.locks.join("/")} (${f.threads.join(", ")}) ${sites}`);
}
