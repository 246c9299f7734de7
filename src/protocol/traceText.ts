// The `.tltrace` text format (DESIGN section 9): a whole recording, one record per line, that a
// person can read and edit and that the extension, `threadlens export` and the tests load back.
//
// Grammar (one line = one record; `␣` is one or more spaces or tabs; `[...]` is optional):
//
//   file     := header { "\n" line }            ("\r\n" works too; blanks around a line ignored)
//   header   := "# threadlens trace 1"          (the first line; a UTF-8 BOM before it is allowed)
//   line     := "" | comment | meta | event
//   comment  := "#" any-text
//   meta     := "thread" ␣ uint ␣ string ␣ fields(kind=main|worker|task, parent=uint, [pid=uint],
//                                                  daemon=true|false)
//             | "object" ␣ uint ␣ ObjectKind ␣ string ␣ fields(site=uint, capacity=uint)
//             | "site" ␣ uint [ ␣ frame { ␣ "|" ␣ frame } ]
//             | "dropped" ␣ fields(thread=uint, count=uint)
//   frame    := quoted ":" uint ":" uint ␣ string              file:line:column function
//   event    := time ␣ event-kind ␣ fields(thread=uint, object=int, site=uint, [flag],
//                                          [reason=wait|get|put|join|barrier])
//   fields(...) := the listed `key=value` items (and the bare word `flag`), each once, in any
//                  order; the writer uses the order shown
//   time     := digits [ "." digits ]       milliseconds, at most 2^53 µs; the writer prints 3
//                                           decimals (µs), more only for sub-µs times
//   string   := word | quoted
//   word     := [A-Za-z_$<] [A-Za-z0-9_$.<>@:/\-\[\]]*          (written bare when it fits)
//   quoted   := a JSON string literal ("...", with \" \\ \n \uXXXX escapes)
//   uint     := non-negative safe integer; int := safe integer (thread-exit codes may be < 0)
//
// Meta and event lines may interleave (a streaming writer appends a thread's record when it
// first sees the thread); the reader keeps each kind in file order. Thread, object and site ids
// are dictionary keys, so defining one twice differently is an error (an identical repeat is
// kept); events that reference undefined ids are allowed (a trace cut short still loads).
//
// The reader treats the file as hostile: every failure is a TraceParseError naming the 1-based
// line and what was expected, lines longer than 64 Ki characters and traces of more than
// `maxRecords` records are refused before they can exhaust memory.
//
// This file writes (writeTrace, and formatMeta/formatEvent for writers that append line by
// line); traceTextReader.ts reads, and everything public there is re-exported here.
import {
  isHoldingKind,
  type Frame,
  type MetaRecord,
  type Trace,
  type TraceEvent,
} from "./events.ts";
import {
  BARE_WORD,
  TRACE_HEADER,
  isEventKind,
  isObjectKind,
  isReason,
  isThreadKind,
} from "./traceTextReader.ts";

export {
  DEFAULT_MAX_RECORDS,
  MAX_LINE_LENGTH,
  TRACE_HEADER,
  TraceParseError,
  parseTrace,
  type ParseOptions,
} from "./traceTextReader.ts";

// ---------------------------------------------------------------------------------- writing

function str(s: string): string {
  return BARE_WORD.test(s) ? s : JSON.stringify(s);
}

// The writer refuses values the reader would refuse: a file it wrote must always load.
function uint(n: number, field: string): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${field} must be a uint: ${n}`);
  return String(n);
}

function int(n: number, field: string): string {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${field} must be a safe integer: ${n}`);
  return String(n);
}

function known(ok: boolean, field: string, value: unknown): void {
  if (!ok) throw new RangeError(`unknown ${field}: ${String(value)}`);
}

/** Microseconds → milliseconds text, exact: the decimal point moves in the string, never in
 * floating point, so `parseTrace` gets back the very same number. */
export function formatTime(us: number): string {
  if (!Number.isFinite(us) || us < 0 || us > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`time must be between 0 and 2^53 µs: ${us}`);
  }
  let digits = String(us + 0); // + 0 turns -0 into 0
  const exp = /^(\d)(?:\.(\d+))?e-(\d+)$/.exec(digits); // only below 1e-6
  if (exp) digits = `0.${"0".repeat(Number(exp[3]) - 1)}${exp[1]}${exp[2] ?? ""}`;
  const [whole = "0", fraction = ""] = digits.split(".");
  const padded = whole.padStart(4, "0");
  return `${padded.slice(0, -3).replace(/^0+(?=\d)/, "")}.${padded.slice(-3)}${fraction}`;
}

function formatFrame(f: Frame): string {
  return `${JSON.stringify(f.file)}:${uint(f.line, "frame line")}:${uint(f.column, "frame column")} ${str(f.function)}`;
}

/** One meta record as one line (no newline), for writers that append as they go. */
export function formatMeta(m: MetaRecord): string {
  switch (m.type) {
    case "thread":
      known(isThreadKind(m.kind), "thread kind", m.kind);
      return `thread ${uint(m.ident, "ident")} ${str(m.name)} kind=${m.kind} parent=${uint(m.parent, "parent")} daemon=${m.daemon === true}${m.pid === undefined ? "" : ` pid=${uint(m.pid, "pid")}`}`;
    case "object":
      known(isObjectKind(m.kind), "object kind", m.kind);
      return `object ${uint(m.id, "id")} ${m.kind} ${str(m.name)} site=${uint(m.site, "site")} capacity=${uint(m.capacity, "capacity")}`;
    case "site": {
      const frames = m.frames.map(formatFrame).join(" | ");
      return `site ${uint(m.id, "id")}${frames === "" ? "" : " " + frames}`;
    }
    case "dropped":
      return `dropped thread=${uint(m.thread, "thread")} count=${uint(m.count, "count")}`;
  }
}

/** One event as one line (no newline). */
export function formatEvent(e: TraceEvent): string {
  known(isEventKind(e.kind), "event kind", e.kind);
  let line = `${formatTime(e.time)} ${e.kind} thread=${uint(e.thread, "thread")} object=${int(e.object, "object")} site=${uint(e.site, "site")}`;
  if (e.flag) line += " flag";
  if (e.kind === "wait-begin" && e.reason !== undefined) {
    known(isReason(e.reason), "wait reason", e.reason);
    line += ` reason=${e.reason}`;
  }
  if (isHoldingKind(e.kind) && "shared" in e && e.shared === true) line += " shared";
  return line;
}

/** The whole trace: header, every meta record, then every event, each line ending in "\n". */
export function writeTrace(trace: Trace): string {
  const lines = [TRACE_HEADER];
  for (const m of trace.meta) lines.push(formatMeta(m));
  for (const e of trace.events) lines.push(formatEvent(e));
  return lines.join("\n") + "\n";
}
