// The acquireAll fix as a text edit (DESIGN 5.4): two acquisitions written as adjacent
// statements, `await a.acquire(); await b.acquire();` (or `a.acquireSync(); b.acquireSync();`),
// become `await acquireAll([a, b]);` (`acquireAllSync([a, b]);`), which takes both in one global
// order (by creation), all or nothing (runtime/acquireAll.ts). The later `b.release()` and
// `a.release()` stay as they are: acquireAll leaves each lock held as a plain acquire would.
// Only the plain shape: no timeout argument, nothing between the two statements but blank lines
// and comments, a named import from "threadlens" to add acquireAll to.
import type { Frame } from "../protocol/events.ts";
import type { Replacement, TextEdit } from "../protocol/report.ts";
import {
  codeLines,
  offsetOf,
  replacementAtOffset,
  sourceLines,
  type ReadSource,
} from "./sourceEdits.ts";

const IDENT = String.raw`[A-Za-z_$][\w$]*`;
const RECEIVER = String.raw`(?:this\s*\.\s*${IDENT}|${IDENT})`;
/** One acquisition statement, the whole line: `await x.acquire();` or `x.acquireSync();`. */
const STATEMENT = new RegExp(
  String.raw`^(\s*)(await\s+)?(${RECEIVER})\s*\.\s*(acquire|acquireSync)\s*\(\s*\)\s*;?\s*$`,
);
const THREADLENS_IMPORT = /import\s*\{([^}]*)\}\s*from\s*["']threadlens["']/;

/** One pair of adjacent acquisitions, by 1-based line: the lock held first, then the one taken. */
export interface AcquisitionPair {
  readonly held: Frame;
  readonly taking: Frame;
}

interface Statement {
  readonly line: number;
  readonly indent: string;
  readonly awaited: boolean;
  readonly receiver: string;
  readonly sync: boolean;
}

function statementAt(lines: readonly string[], line: number): Statement | undefined {
  const m = STATEMENT.exec(lines[line - 1] ?? "");
  if (m === null) return undefined;
  const sync = m[4] === "acquireSync";
  const awaited = m[2] !== undefined;
  // An async acquire not awaited is not an acquisition that holds the lock on the next line.
  if (!sync && !awaited) return undefined;
  return { line, indent: m[1] ?? "", awaited, receiver: (m[3] ?? "").replace(/\s+/g, ""), sync };
}

/** Only blank lines and comments between lines `from` and `to` (exclusive) of the code. */
function onlyBlankBetween(code: readonly string[], from: number, to: number): boolean {
  for (let l = from + 1; l < to; l++) if ((code[l - 1] ?? "").trim() !== "") return false;
  return true;
}

/**
 * The edit replacing each pair by one acquireAll call (pairs of one file; the others are left
 * out), with the import. Undefined when no pair has the plain shape.
 */
export function acquireAllEdit(
  pairs: readonly AcquisitionPair[],
  editFile: string,
  readSource: ReadSource | undefined,
): { edit: TextEdit; replaced: AcquisitionPair[] } | undefined {
  const file = pairs[0]?.held.file;
  if (file === undefined) return undefined;
  const source = readSource?.(file);
  if (source === undefined) return undefined;
  const lines = sourceLines(source);
  const code = codeLines(source);
  const replacements: Replacement[] = [];
  const replaced: AcquisitionPair[] = [];
  const done = new Set<string>();
  let needsAsync = false;
  let needsSync = false;
  for (const pair of pairs) {
    if (pair.held.file !== file || pair.taking.file !== file) continue;
    const key = `${pair.held.line}:${pair.taking.line}`;
    if (done.has(key)) {
      replaced.push(pair);
      continue;
    }
    const first = statementAt(lines, pair.held.line);
    const second = statementAt(lines, pair.taking.line);
    if (first === undefined || second === undefined) continue;
    if (first.sync !== second.sync || first.receiver === second.receiver) continue;
    if (pair.taking.line <= pair.held.line) continue;
    if (!onlyBlankBetween(code, pair.held.line, pair.taking.line)) continue;
    done.add(key);
    replaced.push(pair);
    const call = first.sync
      ? `acquireAllSync([${first.receiver}, ${second.receiver}])`
      : `await acquireAll([${first.receiver}, ${second.receiver}])`;
    if (first.sync) needsSync = true;
    else needsAsync = true;
    const start = offsetOf(source, pair.held.line, first.indent.length + 1);
    const endLine = lines[pair.taking.line - 1] ?? "";
    const end = offsetOf(source, pair.taking.line, endLine.trimEnd().length + 1);
    replacements.push(replacementAtOffset(source, start, end - start, `${call};`));
  }
  if (replacements.length === 0) return undefined;
  const names = [...(needsAsync ? ["acquireAll"] : []), ...(needsSync ? ["acquireAllSync"] : [])];
  const imported = importNames(source, names);
  if (imported === undefined) return undefined;
  return {
    edit: { file: editFile, replacements: [...imported, ...replacements] },
    replaced,
  };
}

/** The replacement adding `names` to the named import from "threadlens" (none if present). */
function importNames(source: string, names: readonly string[]): Replacement[] | undefined {
  const match = THREADLENS_IMPORT.exec(source);
  if (match === null) return undefined;
  const list = match[1] ?? "";
  const present = new Set(
    [
      ...list.matchAll(new RegExp(String.raw`(?:type\s+)?(${IDENT})(?:\s+as\s+(${IDENT}))?`, "g")),
    ].map((s) => s[2] ?? s[1]),
  );
  const missing = names.filter((n) => !present.has(n));
  if (missing.length === 0) return [];
  const listOffset = match.index + match[0].indexOf("{") + 1;
  const trimmed = list.trimEnd();
  const comma = trimmed.endsWith(",") ? " " : trimmed.trim() === "" ? " " : ", ";
  const at = listOffset + trimmed.length;
  return [replacementAtOffset(source, at, 0, `${comma}${missing.join(", ")}`)];
}
