// Text edits for the fixes of DESIGN 5.4, made by reading the source line at a call site. An
// edit is produced only when the text is exactly what we expect (a simple receiver before an
// acquisition method, `new Lock(` at a creation site, a named import from "threadlens");
// anything else gets no edit, and the suggestion stays a message.
import type { Frame } from "../protocol/events.ts";
import type { Replacement, TextEdit } from "../protocol/report.ts";
import { ACQUIRE_METHODS } from "./lockMethods.ts";

/** Reads a source file by the absolute path a frame names; undefined when unreadable. */
export type ReadSource = (file: string) => string | undefined;

const IDENT = String.raw`[A-Za-z_$][\w$]*`;
/** A simple receiver: an identifier or `this.x`, not itself part of a longer member chain. */
const RECEIVER = String.raw`(?<![\w$.])(?:this\s*\.\s*${IDENT}|${IDENT})`;
const RECEIVER_AT_START = new RegExp(
  String.raw`^(?:await\s+)?(${RECEIVER})\s*\.\s*(${IDENT})\s*\(`,
);
const RECEIVER_BEFORE_DOT = new RegExp(String.raw`(${RECEIVER})\s*\.\s*$`);
const METHOD_CALL = new RegExp(String.raw`^(${IDENT})\s*\(`);

/** A receiver expression found in a line: 0-based start index and its text. */
export interface Receiver {
  readonly start: number;
  readonly text: string;
  /** The method called on it (`acquire`, `acquireRead`, ...). */
  readonly method: string;
  /** 0-based index just past the method name. */
  readonly end: number;
}

/**
 * The lines of the last source asked for (kept: the findings of one large file each read it,
 * and splitting a 1.8 MB file a thousand times was most of building them). Read-only.
 */
export function sourceLines(source: string): readonly string[] {
  if (lastLines?.source !== source) lastLines = { source, lines: source.split(/\r?\n/) };
  return lastLines.lines;
}

let lastLines: { readonly source: string; readonly lines: readonly string[] } | undefined;

/** The offsets where the lines of the last source asked for start. */
function lineStarts(source: string): readonly number[] {
  if (lastStarts?.source !== source) {
    const starts = [0];
    for (let at = source.indexOf("\n"); at >= 0; at = source.indexOf("\n", at + 1)) {
      starts.push(at + 1);
    }
    lastStarts = { source, starts };
  }
  return lastStarts.starts;
}

let lastStarts: { readonly source: string; readonly starts: readonly number[] } | undefined;

/**
 * The receiver of the acquisition call at 1-based `column` of `line`: the column may point at
 * the method name (`lockB.|acquireSync()`, what V8 reports for a method call) or at the start
 * of the call expression (`|lockB.acquireSync()`, or `|await lockB.acquire()`).
 */
export function findCallReceiver(line: string, column: number): Receiver | undefined {
  const at = column - 1;
  if (at < 0 || at > line.length) return undefined;
  const rest = line.slice(at);
  const method = METHOD_CALL.exec(rest);
  const name = method?.[1] ?? "";
  if (ACQUIRE_METHODS.has(name)) {
    const before = RECEIVER_BEFORE_DOT.exec(line.slice(0, at));
    if (before !== null)
      return { start: before.index, text: before[1] ?? "", method: name, end: at + name.length };
  }
  const call = RECEIVER_AT_START.exec(rest);
  const called = call?.[2] ?? "";
  if (call !== null && ACQUIRE_METHODS.has(called)) {
    const text = call[1] ?? "";
    const end = at + call[0].lastIndexOf(called) + called.length;
    return { start: at + call[0].indexOf(text), text, method: called, end };
  }
  return undefined;
}

function replacementAt(line: number, start: number, oldText: string, newText: string): Replacement {
  return {
    line,
    column: start + 1,
    endLine: line,
    endColumn: start + 1 + oldText.length,
    newText,
  };
}

/**
 * Swaps the receivers of two acquisition calls (`lockB.acquireSync(); … lockA.acquireSync();`
 * becomes `lockA…; … lockB…;`), so that one function takes the locks in the other order.
 * Only for two calls in one function of one file, with distinct simple receivers. Calls of
 * different methods (an RWLock's `acquireRead` and `acquireWrite`) swap receiver and method
 * together: each lock keeps the mode the function takes it in.
 */
export function swapReceiversEdit(
  first: Frame,
  second: Frame,
  editFile: string,
  readSource: ReadSource | undefined,
): TextEdit | undefined {
  if (first.file !== second.file || first.function !== second.function) return undefined;
  if (first.line === second.line && first.column === second.column) return undefined;
  const source = readSource?.(first.file);
  if (source === undefined) return undefined;
  const lines = sourceLines(source);
  const a = findCallReceiver(lines[first.line - 1] ?? "", first.column);
  const b = findCallReceiver(lines[second.line - 1] ?? "", second.column);
  if (a === undefined || b === undefined || a.text === b.text) return undefined;
  // Both calls in one block, the first before the second: anonymous functions all share one
  // name, so the frames alone do not prove that the two calls are in the same function.
  const from = offsetOf(source, first.line, a.start + 1);
  const to = offsetOf(source, second.line, b.start + 1);
  if (from < 0 || to <= from || !staysInBlock(codeOnly(source).slice(from, to))) return undefined;
  if (a.method !== b.method) {
    const lineA = lines[first.line - 1] ?? "";
    const lineB = lines[second.line - 1] ?? "";
    const oldA = lineA.slice(a.start, a.end);
    const oldB = lineB.slice(b.start, b.end);
    return {
      file: editFile,
      replacements: [
        replacementAt(first.line, a.start, oldA, `${b.text}.${b.method}`),
        replacementAt(second.line, b.start, oldB, `${a.text}.${a.method}`),
      ],
    };
  }
  return {
    file: editFile,
    replacements: [
      replacementAt(first.line, a.start, a.text, b.text),
      replacementAt(second.line, b.start, b.text, a.text),
    ],
  };
}

/** The text never closes a block it did not open (it does not leave its starting block). */
function staysInBlock(code: string): boolean {
  let depth = 0;
  for (const c of code) {
    if (c === "{") depth++;
    else if (c === "}" && --depth < 0) return false;
  }
  return true;
}

const NEW_LOCK = /\bnew\s+Lock\s*\(/g;
const THREADLENS_IMPORT = /import\s*\{([^}]*)\}\s*from\s*["']threadlens["']/;

/** Line and column (1-based) of a 0-based offset. */
export function positionOf(source: string, offset: number): { line: number; column: number } {
  const starts = lineStarts(source);
  // The line: how many lines start at or before `offset` (binary search).
  let low = 0;
  let high = starts.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((starts[mid] ?? 0) <= offset) low = mid + 1;
    else high = mid;
  }
  const line = Math.max(1, low);
  return { line, column: offset - (starts[line - 1] ?? 0) + 1 };
}

export function offsetOf(source: string, line: number, column: number): number {
  if (line < 1) return column - 1;
  const start = lineStarts(source)[line - 1];
  return start === undefined ? -1 : start + column - 1;
}

export function replacementAtOffset(
  source: string,
  offset: number,
  length: number,
  newText: string,
): Replacement {
  const start = positionOf(source, offset);
  const end = positionOf(source, offset + length);
  return {
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    newText,
  };
}

/**
 * Turns `new Lock(` at a creation site into `new RLock(`, and imports RLock from "threadlens"
 * (in place of Lock when nothing else in the file uses Lock). Undefined when the creation line
 * has no `new Lock(` or the file has no named threadlens import to extend.
 */
export function useRLockEdit(
  creation: Frame,
  editFile: string,
  readSource: ReadSource | undefined,
): TextEdit | undefined {
  const source = readSource?.(creation.file);
  if (source === undefined) return undefined;
  const lineStart = offsetOf(source, creation.line, 1);
  if (lineStart < 0) return undefined;
  const lineEnd = source.indexOf("\n", lineStart);
  const line = source.slice(lineStart, lineEnd < 0 ? source.length : lineEnd);
  // The `new Lock(` closest to the reported column.
  let best: RegExpExecArray | undefined;
  for (const match of line.matchAll(NEW_LOCK)) {
    const distance = Math.abs(match.index - (creation.column - 1));
    if (best === undefined || distance < Math.abs(best.index - (creation.column - 1))) best = match;
  }
  if (best === undefined) return undefined;
  const lockOffset = lineStart + best.index + best[0].indexOf("Lock");
  const importEdit = importRLock(source, lockOffset);
  if (importEdit === undefined) return undefined;
  const replacements = [replacementAtOffset(source, lockOffset, "Lock".length, "RLock")];
  if (importEdit !== "present") replacements.unshift(importEdit);
  return { file: editFile, replacements };
}

/** The replacement that imports RLock, "present" when it is imported already. */
function importRLock(
  source: string,
  changedLockOffset: number,
): Replacement | "present" | undefined {
  const match = THREADLENS_IMPORT.exec(source);
  if (match === null) return undefined;
  const listOffset = match.index + match[0].indexOf("{") + 1;
  const list = match[1] ?? "";
  const specifiers = [
    ...list.matchAll(new RegExp(String.raw`(?:type\s+)?(${IDENT})(?:\s+as\s+(${IDENT}))?`, "g")),
  ];
  const localNames = specifiers.map((s) => s[2] ?? s[1]);
  if (localNames.includes("RLock")) return "present";
  const lockSpecifier = specifiers.find((s) => s[1] === "Lock" && s[2] === undefined);
  if (lockSpecifier === undefined) return undefined;
  const lockAt = listOffset + lockSpecifier.index;
  // Lock still used elsewhere (another `new Lock`, a type annotation): keep it and add RLock.
  const importEnd = match.index + match[0].length;
  const otherUse = lockWordOffsets(source).some(
    (at) => at !== changedLockOffset && (at < match.index || at >= importEnd),
  );
  return otherUse
    ? replacementAtOffset(source, lockAt + "Lock".length, 0, ", RLock")
    : replacementAtOffset(source, lockAt, "Lock".length, "RLock");
}

/**
 * `source` with comments and string literals blanked out (same length, line breaks kept), so
 * that a word in them does not count as a use. Template literals are blanked whole.
 */
export function codeOnly(source: string): string {
  // Every suggestion of every finding asks for its file's code: the last file's is kept (a
  // large file with a thousand findings blanked its whole text a thousand times).
  if (lastCodeOnly?.source !== source) lastCodeOnly = { source, code: blankNonCode(source) };
  return lastCodeOnly.code;
}

let lastCodeOnly: { readonly source: string; readonly code: string } | undefined;

/** The lines of codeOnly(source), the last file's kept. Read-only. */
export function codeLines(source: string): readonly string[] {
  if (lastCodeLines?.source !== source) {
    lastCodeLines = { source, lines: codeOnly(source).split(/\r?\n/) };
  }
  return lastCodeLines.lines;
}

let lastCodeLines: { readonly source: string; readonly lines: readonly string[] } | undefined;

/** Where the word `Lock` is in `source`'s code (the last file's kept, as codeOnly's). */
function lockWordOffsets(source: string): readonly number[] {
  if (lastLockWords?.source !== source) {
    const offsets = [...codeOnly(source).matchAll(/(?<![\w$.])Lock(?![\w$])/g)].map((m) => m.index);
    lastLockWords = { source, offsets };
  }
  return lastLockWords.offsets;
}

let lastLockWords: { readonly source: string; readonly offsets: readonly number[] } | undefined;

function blankNonCode(source: string): string {
  const out = source.split("");
  const blank = (from: number, to: number): void => {
    for (let i = from; i < to; i++) if (out[i] !== "\n") out[i] = " ";
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    let end: number;
    if (c === "/" && next === "/") {
      end = source.indexOf("\n", i);
      if (end < 0) end = source.length;
    } else if (c === "/" && next === "*") {
      end = source.indexOf("*/", i + 2);
      end = end < 0 ? source.length : end + 2;
    } else if (c === '"' || c === "'" || c === "`") {
      end = i + 1;
      while (end < source.length && source[end] !== c && (c === "`" || source[end] !== "\n")) {
        end += source[end] === "\\" ? 2 : 1;
      }
      end = Math.min(end + 1, source.length);
    } else {
      i++;
      continue;
    }
    blank(i, end);
    i = end;
  }
  return out.join("");
}

/** Applies an edit's replacements (positions refer to the original text; end is exclusive). */
export function applyTextEdit(source: string, edit: TextEdit): string {
  const spans = edit.replacements
    .map((r) => ({
      start: offsetOf(source, r.line, r.column),
      end: offsetOf(source, r.endLine, r.endColumn),
      text: r.newText,
    }))
    .filter((span) => span.start >= 0 && span.end >= span.start)
    .sort((a, b) => b.start - a.start);
  // Applied from the last to the first (as one pass: slicing the whole text per replacement
  // was quadratic for a large file's batch of edits). A span overlapping the one after it
  // keeps the text that replacement left, as successive slicing did.
  const parts: string[] = [];
  let rest = source.length;
  for (const span of spans) {
    if (span.end > rest) return applySequentially(source, spans);
    parts.push(source.slice(span.end, rest), span.text);
    rest = span.start;
  }
  parts.push(source.slice(0, rest));
  return parts.reverse().join("");
}

function applySequentially(
  source: string,
  spans: readonly { start: number; end: number; text: string }[],
): string {
  let result = source;
  for (const span of spans) {
    result = result.slice(0, span.start) + span.text + result.slice(span.end);
  }
  return result;
}
