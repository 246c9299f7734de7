// Reading V8 stack text, one frame line at a time. Pure (no runtime state), so the parts of the
// instrumentation that interpret stacks can be tested with stack strings.

export interface SourceSite {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The function the frame runs in, as V8 names it ("new Bank", "doA", "" at top level). */
  readonly functionName: string;
}

const FRAME = /^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/;

/**
 * V8 names an anonymous function passed to a call after a key of an object literal that
 * follows it: `spawn(async () => { ... }, { name: "t1" })` runs as "spawn.name". No name the
 * program gave; for threadlens' own spawn (its options: name, daemon) the frame is anonymous,
 * so a report says the line instead of "in spawn.name".
 */
const INFERRED_FROM_SPAWN_OPTIONS = /(?:^|\.)spawn\.(?:name|daemon)$/;

function toPath(file: string): string {
  return file.startsWith("file://") ? decodeURIComponent(new URL(file).pathname) : file;
}

/** Parses one line of a V8 stack ("    at fn (file:line:col)"); undefined if it is not a frame. */
export function parseFrame(text: string): SourceSite | undefined {
  const m = FRAME.exec(text);
  if (m === null) return undefined;
  // An async frame with no function name reads "at async file:line:col" (no parentheses).
  const place = m[1] === undefined ? (m[2] ?? "").replace(/^async /, "") : (m[2] ?? "");
  return {
    file: toPath(place),
    line: Number(m[3]),
    column: Number(m[4]),
    functionName: functionNameOf(m[1]),
  };
}

function functionNameOf(text: string | undefined): string {
  const name = (text ?? "").replace(/^async /, "");
  return INFERRED_FROM_SPAWN_OPTIONS.test(name) ? "" : name;
}
