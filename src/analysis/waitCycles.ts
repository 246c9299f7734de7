// Cycles of signals in a hang (issue 11: true reasons): two threads each wait for an event (a
// condition, a queue item) that the other would give only after its own wait, as
//   a: await pong.wait(); ping.set();      b: await ping.wait(); pong.set();
// The trace shows only that nobody gave it; the program's text shows who would have: the code
// that follows a blocked thread's wait, to the end of the block the wait is in. A thread that
// would wake the next one's wait, all the way round, is a cycle of waits, said as such instead of
// "no live thread can set". Only what the source plainly says counts (`name.set(`, with the
// primitive's variable name or its own); anything less certain leaves the plain reason.
import type { Frame, WaitReason } from "../protocol/events.ts";
import type { WaitCategory } from "../protocol/kinds.ts";
import type { Dictionary } from "./dictionary.ts";
import { codeOnly, offsetOf, positionOf, sourceLines, type ReadSource } from "./sourceEdits.ts";

/** A blocked thread's wait on a primitive that another thread's call would end. */
export interface SignalWait {
  readonly thread: number;
  readonly object: number;
  /** The wait's site (its frame: where the code after the wait starts). */
  readonly site: number;
  /** The methods that would end this wait (`set`; `notify`, `notifyAll`; `put`...). */
  readonly wakers: readonly string[];
}

/** One hop of a cycle: `thread` waits on `object`, which `waker` would signal at `at`. */
export interface WaitCycleHop {
  readonly thread: number;
  readonly object: number;
  readonly waker: number;
  /** Where the waker's code signals it, after its own wait. */
  readonly at: Frame;
  /** The call it would make there (`set`, `notify`, `put`, ...). */
  readonly method: string;
}

/** Per way of waiting, the calls of another thread that end the wait (none: not followed). */
const WAKERS = {
  none: () => [],
  atomics: () => [],
  barrier: () => [],
  event: () => ["set"],
  condition: () => ["notify", "notifyAll"],
  queue: (reason) =>
    reason === "put"
      ? ["get", "getSync", "getNowait"]
      : reason === "get"
        ? ["put", "putSync", "putNowait"]
        : [],
} satisfies Record<WaitCategory, (reason: WaitReason) => readonly string[]>;

/** The calls that would end a wait on a primitive of category `waits` (for `reason`). */
export function wakersOf(waits: WaitCategory, reason: WaitReason): readonly string[] {
  return WAKERS[waits](reason);
}

const IDENT = /^[A-Za-z_$][\w$]*$/;
const DECLARED_AS =
  /(?:\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)|(this\.[A-Za-z_$][\w$]*))\s*(?::[^=]*)?=\s*new\b/;

/** The names the program's text calls the object by: its variable (or field), and its own name. */
function aliases(dict: Dictionary, object: number, readSource: ReadSource): string[] {
  const out = new Set<string>();
  const info = dict.object(object);
  if (info !== undefined && IDENT.test(info.name)) out.add(info.name);
  const creation = info === undefined ? undefined : dict.userFrame(info.site);
  const source = creation === undefined ? undefined : readSource(creation.file);
  const line =
    creation === undefined || source === undefined
      ? undefined
      : sourceLines(source)[creation.line - 1];
  const declared = line === undefined ? null : DECLARED_AS.exec(line);
  const name = declared?.[1] ?? declared?.[2];
  if (name !== undefined) out.add(name);
  return [...out];
}

function escape(text: string): string {
  return text.replace(/[.$]/g, (c) => `\\${c}`);
}

/** The code after a wait, to the end of its block (comments and strings blanked). */
interface CodeAfter {
  readonly frame: Frame;
  readonly source: string;
  readonly code: string;
  /** Offset of `code` in `source`. */
  readonly from: number;
}

/** The code after the wait at `site`; `blanked` keeps each file's blanked text, made once. */
function codeAfter(
  dict: Dictionary,
  site: number,
  readSource: ReadSource,
  blanked: Map<string, string>,
): CodeAfter | undefined {
  const frame = dict.userFrame(site);
  const source = frame === undefined ? undefined : readSource(frame.file);
  if (frame === undefined || source === undefined) return undefined;
  const from = offsetOf(source, frame.line, Math.max(1, frame.column));
  if (from < 0) return undefined;
  let code = blanked.get(frame.file);
  if (code === undefined) {
    code = codeOnly(source);
    blanked.set(frame.file, code);
  }
  let depth = 0;
  let end = from;
  for (; end < code.length; end++) {
    const c = code[end];
    if (c === "{") depth++;
    else if (c === "}" && --depth < 0) break;
  }
  return { frame, source, code: code.slice(from, end), from };
}

/** The call that would end a wait on `object`: `name.set(`, with any name it goes by. */
function wakingCall(
  dict: Dictionary,
  object: number,
  wakers: readonly string[],
  readSource: ReadSource,
): RegExp | undefined {
  const names = aliases(dict, object, readSource);
  if (names.length === 0) return undefined;
  return new RegExp(
    String.raw`(?<![\w$.])(?:${names.map(escape).join("|")})\s*\.\s*(${wakers.join("|")})\s*\(`,
  );
}

/** Where `after` (another thread's code after its wait) makes `call`, if it plainly does. */
function signalIn(after: CodeAfter, call: RegExp): { at: Frame; method: string } | undefined {
  // The wait's own call is not one (its receiver is another object, or the text starts in it).
  const match = call.exec(after.code);
  if (match === null) return undefined;
  const { line, column } = positionOf(after.source, after.from + match.index);
  const { file, function: fn } = after.frame;
  return { at: { file, line, column, function: fn }, method: match[1] ?? "" };
}

/**
 * A cycle of waits among `waits`, each thread's wait ended only by what the next thread would
 * do after its own wait; undefined when the program's text does not show one.
 */
export function findWaitCycle(
  dict: Dictionary,
  waits: readonly SignalWait[],
  readSource: ReadSource | undefined,
): WaitCycleHop[] | undefined {
  if (readSource === undefined || waits.length < 2) return undefined;
  // Each wait's code after it, and the call that would end it, found once.
  const blanked = new Map<string, string>();
  const after = waits.map((w) => codeAfter(dict, w.site, readSource, blanked));
  const calls = waits.map((w) => wakingCall(dict, w.object, w.wakers, readSource));
  // next.get(i): the waits whose thread would wake waits[i], with where.
  const next = new Map<number, Signal[]>();
  waits.forEach((wait, i) => {
    const wakers: Signal[] = [];
    const call = calls[i];
    waits.forEach((other, j) => {
      const code = after[j];
      if (i === j || other.thread === wait.thread || call === undefined || code === undefined)
        return;
      const signal = signalIn(code, call);
      if (signal !== undefined) wakers.push({ to: j, ...signal });
    });
    next.set(i, wakers);
  });
  // The shortest cycle from each start, by breadth-first search (a handful of threads).
  for (let start = 0; start < waits.length; start++) {
    const path = shortestCycle(start, next);
    if (path === undefined) continue;
    return path.map(({ from, to, at, method }) => ({
      thread: waits[from]?.thread ?? 0,
      object: waits[from]?.object ?? 0,
      waker: waits[to]?.thread ?? 0,
      at,
      method,
    }));
  }
  return undefined;
}

/** waits[to]'s thread would end the wait it is keyed under, by `method` at `at`. */
interface Signal {
  readonly to: number;
  readonly at: Frame;
  readonly method: string;
}

interface Step extends Signal {
  readonly from: number;
}

function shortestCycle(
  start: number,
  next: ReadonlyMap<number, readonly Signal[]>,
): Step[] | undefined {
  const came = new Map<number, Step>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift() ?? start;
    for (const signal of next.get(node) ?? []) {
      const { to } = signal;
      const step = { from: node, ...signal };
      if (to === start) {
        const path = [step];
        for (let back = came.get(node); back !== undefined; back = came.get(back.from))
          path.unshift(back);
        return path;
      }
      if (came.has(to)) continue;
      came.set(to, step);
      queue.push(to);
    }
  }
  return undefined;
}
