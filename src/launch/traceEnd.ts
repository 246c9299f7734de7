// The last line of a trace whose program was killed before the recorder could close it: the
// recorder writes the trace as it drains, so the file holds everything up to the kill; this
// says so, after dropping a line the kill may have cut in half (a reader would refuse it).
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from "node:fs";

/** How far back to look for the last line's start. */
const TAIL_BYTES = 64 * 1024 + 2;

/** Appends `# cut short: <why>` unless the recorder closed the trace (`# end: ...`). */
export function markTraceCutShort(file: string, why: string): void {
  let fd: number;
  try {
    fd = openSync(file, "r+");
  } catch {
    return; // no trace was written (the recorder never started): nothing to mark
  }
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - TAIL_BYTES);
    const tail = Buffer.alloc(size - start);
    readSync(fd, tail, 0, tail.length, start);
    const text = tail.toString("latin1");
    const complete = text.endsWith("\n") ? text.length : text.lastIndexOf("\n") + 1;
    const lastLine = text.slice(text.lastIndexOf("\n", complete - 2) + 1, complete);
    if (lastLine.startsWith("# end:")) return;
    const end = start + complete;
    if (end < size) ftruncateSync(fd, end);
    writeSync(fd, `# cut short: ${why}\n`, end);
  } finally {
    closeSync(fd);
  }
}
