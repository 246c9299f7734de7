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
    functionName: (m[1] ?? "").replace(/^async /, ""),
  };
}
