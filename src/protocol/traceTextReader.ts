// The reading half of the `.tltrace` format (the grammar is documented in traceText.ts, which
// re-exports everything public here): a line-by-line reader that treats its input as hostile.
import {
  EVENT_KINDS,
  WAIT_REASONS,
  makeEvent,
  type EventKind,
  type Frame,
  type MetaRecord,
  type ThreadKind,
  type Trace,
  type TraceEvent,
  type WaitReason,
} from "./events.ts";
import { isObjectKind, OBJECT_KINDS } from "./kinds.ts";

export { isObjectKind };

export const TRACE_HEADER = "# threadlens trace 1";
export const MAX_LINE_LENGTH = 64 * 1024;
/** Default record limit: about a gigabyte of decoded objects at worst. */
export const DEFAULT_MAX_RECORDS = 10_000_000;

export class TraceParseError extends Error {
  override readonly name = "TraceParseError";
  constructor(
    /** 1-based line number (0 when the input is not text at all). */
    readonly line: number,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`line ${line}: ${detail}`, options);
  }
}

export interface ParseOptions {
  readonly maxRecords?: number;
}

/** Fields written as a bare word (present: true), not as key=value. */
const BARE_FIELDS: ReadonlySet<string> = new Set(["flag", "shared"]);
const THREAD_KIND_SET = { main: true, worker: true, task: true } satisfies Record<ThreadKind, true>;
const EVENT_KIND_SET: ReadonlySet<string> = new Set(EVENT_KINDS);
const REASON_SET: ReadonlySet<string> = new Set(WAIT_REASONS);

export const isThreadKind = (s: string): s is ThreadKind => Object.hasOwn(THREAD_KIND_SET, s);
export const isEventKind = (s: string): s is EventKind => EVENT_KIND_SET.has(s);
export const isReason = (s: string): s is WaitReason => REASON_SET.has(s);

/** A name written without quotes (see the grammar). */
export const BARE_WORD = /^[A-Za-z_$<][A-Za-z0-9_$.<>@:/\-[\]]*$/;

// ---------------------------------------------------------------------------------- reading

interface Field {
  readonly value: string;
  /** 0-based column of the field's first character, for error messages. */
  readonly column: number;
}

function clip(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

const BLANKS = /[ \t]*/y;
const WORD = /[^ \t]*/y;
const DIGITS = /\d*/y;

/** Reads one line (already trimmed) left to right; every failure names line and column. */
class LineReader {
  pos = 0;
  constructor(
    private readonly text: string,
    private readonly lineNo: number,
  ) {}

  failAt(column: number, expected: string, found?: string): never {
    WORD.lastIndex = column;
    const next = found ?? WORD.exec(this.text)?.[0] ?? "";
    const what = next === "" ? "the end of the line" : clip(next);
    const message = `expected ${expected} at column ${column + 1}, found ${what}`;
    throw new TraceParseError(this.lineNo, message);
  }

  fail(expected: string): never {
    return this.failAt(this.pos, expected);
  }

  /** Matches a sticky pattern (linear time: no backtracking on hostile lines). */
  private take(re: RegExp): string {
    re.lastIndex = this.pos;
    const s = re.exec(this.text)?.[0] ?? "";
    this.pos += s.length;
    return s;
  }

  /** Skips blanks; true when another item follows. Items must be separated by blanks. */
  more(): boolean {
    this.take(BLANKS);
    if (this.pos >= this.text.length) return false;
    // Checked on the character before, not on what was skipped, so that calling more() twice
    // (to peek, then to read) accepts what calling it once accepts.
    const before = this.text[this.pos - 1];
    if (this.pos > 0 && before !== " " && before !== "\t") this.fail("a space");
    return true;
  }

  /** The next blank-separated item, raw. */
  word(expected: string): Field {
    if (!this.more()) this.fail(expected);
    return this.rawWord();
  }

  private rawWord(): Field {
    const column = this.pos;
    return { value: this.take(WORD), column };
  }

  /** A name: a bare word or a JSON string literal. */
  string(expected: string): string {
    if (!this.more()) this.fail(expected);
    if (this.text[this.pos] === '"') return this.quoted(expected);
    const w = this.rawWord();
    if (BARE_WORD.test(w.value)) return w.value;
    return this.failAt(w.column, `${expected} (a word or a "quoted string")`);
  }

  /** A JSON string literal starting at the current position. */
  quoted(expected: string): string {
    const start = this.pos;
    if (this.text[start] !== '"') this.fail(`${expected} (a "quoted string")`);
    let i = start + 1;
    while (i < this.text.length && this.text[i] !== '"') i += this.text[i] === "\\" ? 2 : 1;
    if (i >= this.text.length) {
      throw new TraceParseError(this.lineNo, `unterminated string starting at column ${start + 1}`);
    }
    let value: unknown;
    try {
      value = JSON.parse(this.text.slice(start, i + 1));
    } catch {
      this.failAt(start, `${expected} (a valid JSON string literal)`);
    }
    this.pos = i + 1;
    return typeof value === "string" ? value : this.failAt(start, expected);
  }

  char(c: string, expected: string): void {
    if (this.text[this.pos] !== c) this.fail(expected);
    this.pos++;
  }

  /** Digits right here, with no blank before them (line and column of a frame). */
  digits(expected: string): number {
    const column = this.pos;
    return toUint(this, { value: this.take(DIGITS), column }, expected);
  }

  /** `key=value` items (and the bare `flag`) to the end of the line, each key at most once. */
  fields(allowed: readonly string[]): Map<string, Field> {
    const out = new Map<string, Field>();
    const list = allowed.map((k) => (BARE_FIELDS.has(k) ? k : `${k}=`)).join(", ");
    while (this.more()) {
      const f = this.word(`a field (${list})`);
      const eq = f.value.indexOf("=");
      const key = eq < 0 ? f.value : f.value.slice(0, eq);
      if (!allowed.includes(key) || BARE_FIELDS.has(key) !== eq < 0) {
        this.failAt(f.column, `a field (${list})`);
      }
      if (out.has(key)) this.failAt(f.column, `each field once, but ${key} is repeated`);
      out.set(key, { value: f.value.slice(eq + 1), column: f.column + eq + 1 });
    }
    return out;
  }
}

function need(r: LineReader, fields: Map<string, Field>, key: string): Field {
  return fields.get(key) ?? r.fail(`a field ${key}=`);
}

function toUint(r: LineReader, f: Field, what: string): number {
  const n = /^\d{1,16}$/.test(f.value) ? Number(f.value) : NaN;
  if (Number.isSafeInteger(n)) return n;
  return r.failAt(f.column, `${what} (a non-negative integer)`, f.value);
}

function toInt(r: LineReader, f: Field, what: string): number {
  const n = /^-?\d{1,16}$/.test(f.value) ? Number(f.value) : NaN;
  return Number.isSafeInteger(n) ? n : r.failAt(f.column, `${what} (an integer)`, f.value);
}

function toEnum<T extends string>(
  r: LineReader,
  f: Field,
  what: string,
  is: (s: string) => s is T,
  names: readonly string[],
): T {
  return is(f.value) ? f.value : r.failAt(f.column, `${what} (${names.join(", ")})`, f.value);
}

const uintField = (r: LineReader, f: Map<string, Field>, key: string): number =>
  toUint(r, need(r, f, key), `${key}=`);

/** Milliseconds text → microseconds, moving the decimal point in the string (see formatTime). */
function toTime(r: LineReader, f: Field): number {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(f.value);
  const fraction = (m?.[2] ?? "").padEnd(3, "0");
  const us = m ? Number(`${m[1]}${fraction.slice(0, 3)}.${fraction.slice(3) || "0"}`) : NaN;
  if (us <= Number.MAX_SAFE_INTEGER) return us;
  return r.failAt(
    f.column,
    "a record keyword (thread, object, site, dropped) or an event time in ms",
  );
}

function parseMeta(r: LineReader, keyword: string): MetaRecord {
  switch (keyword) {
    case "thread": {
      const ident = toUint(r, r.word("a thread ident"), "a thread ident");
      const name = r.string("a thread name");
      const f = r.fields(["kind", "parent", "daemon", "pid"]);
      const kind = toEnum(r, need(r, f, "kind"), "kind=", isThreadKind, THREAD_KINDS);
      const daemon = toEnum(r, need(r, f, "daemon"), "daemon=", isBool, ["true", "false"]);
      const parent = uintField(r, f, "parent");
      const thread = {
        type: "thread",
        ident,
        name,
        kind,
        parent,
        daemon: daemon === "true",
      } as const;
      // A thread of a child process names its OS process (DESIGN 3.3).
      return f.has("pid") ? { ...thread, pid: uintField(r, f, "pid") } : thread;
    }
    case "object": {
      const id = toUint(r, r.word("an object id"), "an object id");
      const kind = toEnum(r, r.word("a kind"), "an object kind", isObjectKind, OBJECT_KINDS);
      const name = r.string("an object name");
      const f = r.fields(["site", "capacity"]);
      const [site, capacity] = [uintField(r, f, "site"), uintField(r, f, "capacity")];
      return { type: "object", id, kind, name, site, capacity };
    }
    case "site": {
      const id = toUint(r, r.word("a site id"), "a site id");
      const frames: Frame[] = [];
      while (r.more()) {
        if (frames.length > 0) {
          r.char("|", '"|" between frames');
          if (!r.more()) r.fail("a frame after |");
        }
        const file = r.quoted("a frame's file");
        r.char(":", 'the frame\'s ":line"');
        const line = r.digits("a frame line");
        r.char(":", 'the frame\'s ":column"');
        const column = r.digits("a frame column");
        frames.push({ file, line, column, function: r.string("a function name") });
      }
      return { type: "site", id, frames };
    }
    default: {
      const f = r.fields(["thread", "count"]);
      return {
        type: "dropped",
        thread: uintField(r, f, "thread"),
        count: uintField(r, f, "count"),
      };
    }
  }
}

function parseEvent(r: LineReader, time: number): TraceEvent {
  const kind = toEnum(r, r.word("an event kind"), "an event kind", isEventKind, EVENT_KINDS);
  const f = r.fields(["thread", "object", "site", "flag", "reason", "shared"]);
  const [thread, site] = [uintField(r, f, "thread"), uintField(r, f, "site")];
  const object = toInt(r, need(r, f, "object"), "object=");
  const reasonField = f.get("reason");
  const reason =
    reasonField === undefined
      ? undefined
      : toEnum(r, reasonField, "reason=", isReason, WAIT_REASONS);
  const shared = f.get("shared");
  const event = makeEvent(kind, thread, object, site, time, f.has("flag"), reason, !!shared);
  if (event !== undefined) return event;
  // Only a wait-begin has a reason, only an acquisition event a shared mark.
  const misplaced = reasonField ?? shared;
  return r.failAt(misplaced?.column ?? 0, `no ${reasonField ? "reason=" : "shared"} on ${kind}`);
}

const THREAD_KINDS = Object.keys(THREAD_KIND_SET);
const META_KEYWORDS = new Set(["thread", "object", "site", "dropped"]);
const isBool = (s: string): s is "true" | "false" => s === "true" || s === "false";

function checkHeader(line: string): void {
  if (line === TRACE_HEADER) return;
  const version = /^# threadlens trace (\S+)$/.exec(line)?.[1];
  if (version !== undefined) {
    throw new TraceParseError(
      1,
      `unsupported trace version ${clip(version)} (this reader reads 1)`,
    );
  }
  throw new TraceParseError(1, `expected the header "${TRACE_HEADER}", found ${clip(line)}`);
}

// A loop, not a regex: /[ \t]+$/ backtracks quadratically on a long run of hostile blanks.
function trimmed(text: string, start: number, end: number): string {
  const blank = (i: number): boolean => text[i] === " " || text[i] === "\t" || text[i] === "\r";
  while (start < end && blank(start)) start++;
  while (end > start && blank(end - 1)) end--;
  return text.slice(start, end);
}

/** Per dictionary, where each id was first defined: its line and its index in `meta`. */
type Definitions = Record<
  "thread" | "object" | "site",
  Map<number, { line: number; index: number }>
>;

/**
 * Ids are dictionary keys: a second, different definition would make the trace mean two things.
 * An identical repeat is harmless (a writer that re-announces a record) and is kept as written.
 */
function checkDefinition(defined: Definitions, meta: MetaRecord[], m: MetaRecord, line: number) {
  if (m.type === "dropped") return;
  const id = m.type === "thread" ? m.ident : m.id;
  const first = defined[m.type].get(id);
  if (first === undefined) defined[m.type].set(id, { line, index: meta.length });
  else if (JSON.stringify(meta[first.index]) !== JSON.stringify(m)) {
    throw new TraceParseError(
      line,
      `${m.type} ${id} is already defined differently on line ${first.line}`,
    );
  }
}

/** Reads a `.tltrace` text; throws TraceParseError (and nothing else) on any malformed input. */
export function parseTrace(text: string, options: ParseOptions = {}): Trace {
  if (typeof text !== "string") throw new TraceParseError(0, "expected the text of a trace");
  const maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS;
  const meta: MetaRecord[] = [];
  const events: TraceEvent[] = [];
  const defined: Definitions = { thread: new Map(), object: new Map(), site: new Map() };
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNo = 0;
  do {
    lineNo++;
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    if (end - pos > MAX_LINE_LENGTH) {
      throw new TraceParseError(lineNo, `line longer than ${MAX_LINE_LENGTH} characters`);
    }
    const line = trimmed(text, pos, end);
    pos = end + 1;
    if (lineNo === 1) checkHeader(line);
    else if (line !== "" && !line.startsWith("#")) {
      if (meta.length + events.length >= maxRecords) {
        throw new TraceParseError(lineNo, `more than ${maxRecords} records; refusing to load`);
      }
      try {
        const r = new LineReader(line, lineNo);
        const first = r.word("a record");
        if (!META_KEYWORDS.has(first.value)) events.push(parseEvent(r, toTime(r, first)));
        else {
          const m = parseMeta(r, first.value);
          checkDefinition(defined, meta, m, lineNo);
          meta.push(m);
        }
      } catch (err) {
        // Anything else (a Map over its size limit, say) still becomes a located parse error.
        if (err instanceof TraceParseError) throw err;
        throw new TraceParseError(lineNo, `cannot read this line: ${String(err)}`, { cause: err });
      }
    }
  } while (pos < text.length);
  return { meta, events };
}
