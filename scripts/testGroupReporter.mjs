// The reporter of a group of test files run in one process (scripts/testGroup.mjs): each file's
// tests as node's own reporter prints them (tap, or spec when THREADLENS_GROUP_REPORTER=spec),
// after a `# file: <path>` line, then the file's own counts in the form node's reporters close
// with (`# pass 3` or `ℹ pass 3`), which scripts/test.mjs reads per file. Events that belong to
// no file (an error no test caught) come last, under `# file: (group)`.
import path from "node:path";
import { Readable } from "node:stream";
import { spec, tap } from "node:test/reporters";

const style = process.env["THREADLENS_GROUP_REPORTER"] === "spec" ? "spec" : "tap";
const mark = style === "tap" ? "#" : "ℹ";

async function render(events) {
  const stream =
    style === "tap" ? tap(Readable.from(events)) : Readable.from(events).pipe(new spec());
  let out = "";
  for await (const chunk of stream) out += chunk;
  return out;
}

/** The counts node's runner closes a file with: tests (suites apart), pass, fail, ... */
function countsOf(events) {
  const counts = { tests: 0, suites: 0, pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };
  let ms = 0;
  for (const { type, data } of events) {
    if (type !== "test:pass" && type !== "test:fail") continue;
    if (data.nesting === 0) ms += data.details?.duration_ms ?? 0;
    if (data.details?.type === "suite") {
      counts.suites++;
      continue;
    }
    counts.tests++;
    if (data.skip !== undefined && data.skip !== false) counts.skipped++;
    else if (data.todo !== undefined && data.todo !== false) counts.todo++;
    else if (type === "test:pass") counts.pass++;
    else if (data.details?.error?.failureType === "cancelledByParent") counts.cancelled++;
    else counts.fail++;
  }
  return { counts, ms };
}

export default async function* groupReporter(source) {
  const byFile = new Map();
  const loose = [];
  for await (const event of source) {
    const file = event.data?.file;
    if (file === undefined) {
      // The root's plan and closing counts are the group's, not a file's.
      if (event.type === "test:fail" || event.type === "test:stderr") loose.push(event);
      continue;
    }
    const events = byFile.get(file) ?? [];
    byFile.set(file, events);
    // Each file's top-level tests numbered from 1, as in a process of its own.
    if ((event.type === "test:pass" || event.type === "test:fail") && event.data.nesting === 0) {
      const number = events.filter(
        (e) => (e.type === "test:pass" || e.type === "test:fail") && e.data.nesting === 0,
      ).length;
      events.push({ ...event, data: { ...event.data, testNumber: number + 1 } });
    } else events.push(event);
  }
  const blocks = [...byFile].map(([file, events]) => ({
    name: path.relative(process.cwd(), file),
    events,
  }));
  if (loose.length > 0) blocks.push({ name: "(group)", events: loose });
  for (const { name, events } of blocks) {
    const { counts, ms } = countsOf(events);
    let text = `# file: ${name}\n${await render(events)}`;
    for (const [key, n] of Object.entries(counts)) text += `${mark} ${key} ${n}\n`;
    yield `${text}${mark} duration_ms ${ms.toFixed(3)}\n`;
  }
}
