// The root recorder's private directory (protocol/processLink.ts): a 0700 folder under the
// system temp dir holding the socket that child processes relay to. A root that exits removes
// it; one that is SIGKILL'd cannot, so its pid is part of the name and the next root sweeps the
// folders of roots that no longer run. Only this user's folders of this exact shape are touched.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const PREFIX = "threadlens-run-";
const SHAPE = /^threadlens-run-(\d+)-[A-Za-z0-9]{6}$/;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the pid runs, as another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes the folders left by roots that were killed before they could remove their own. */
export function sweepOrphanedSocketDirs(base = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return removed;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    const pid = Number(SHAPE.exec(name)?.[1] ?? NaN);
    if (!Number.isInteger(pid) || pid === process.pid || isRunning(pid)) continue;
    const full = path.join(base, name);
    try {
      if (uid !== undefined && statSync(full).uid !== uid) continue;
      rmSync(full, { recursive: true, force: true });
      removed.push(full);
    } catch {
      // Gone already (another root swept it), or not ours to remove.
    }
  }
  return removed;
}

/** A new private folder for this root's socket, named after its pid. */
export function makeSocketDir(base = tmpdir()): string {
  return mkdtempSync(path.join(base, `${PREFIX}${process.pid}-`));
}
