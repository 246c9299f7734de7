// What the process tests check of the OS processes a run started: that they end (no orphan
// left behind), and the lines of the fixtures they cite.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { lineIn } from "./sourceLines.ts";

/** Whether `pid` is a running process (a zombie waiting for its reaper counts as ended). */
export function running(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    // The state follows the command in parentheses, which may itself contain spaces.
    const text = readFileSync(stat, "utf8");
    return text.slice(text.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Resolves once `pid` has ended; fails after `limitMs` (a stuck process, not a slow one). */
export async function ended(pid: number, limitMs = 30_000): Promise<void> {
  const start = performance.now();
  while (running(pid)) {
    if (performance.now() - start > limitMs) assert.fail(`process ${pid} is still running`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The number of the `n`th line of `file` (under test/fixtures) holding `text`. */
export const fixtureLine = (file: string, text: string, n = 1): number =>
  lineIn(path.join("test/fixtures", file), text, n);

/** The pid a fixture printed as `<label> pid <n>` on stderr. */
export function printedPid(stderr: string, label: string): number {
  const pid = Number(new RegExp(`${label} pid (\\d+)`).exec(stderr)?.[1]);
  assert.ok(pid > 0, `no "${label} pid" in:\n${stderr}`);
  return pid;
}
