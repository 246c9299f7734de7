// A process and everything it started, so that a program never outlives threadlens: the
// recorder ends its own process tree when its supervisor goes away, and a supervisor ends the
// tree of a program it stops. Linux reads /proc; elsewhere `ps` lists the parent of each pid.
import { childProcess } from "./lazyBuiltins.ts";
import { readFileSync, readdirSync } from "node:fs";

/** pid → parent pid of every process visible now. */
function parentsNow(): Map<number, number> {
  const parents = new Map<number, number>();
  let entries: string[] | undefined;
  try {
    entries = readdirSync("/proc");
  } catch {
    entries = undefined;
  }
  if (entries !== undefined) {
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      } catch {
        continue; // gone meanwhile
      }
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (Number.isInteger(ppid)) parents.set(Number(entry), ppid);
    }
    return parents;
  }
  try {
    const listing = childProcess().execFileSync("ps", ["-A", "-o", "pid=,ppid="], {
      encoding: "utf8",
    });
    for (const line of listing.split("\n")) {
      const [pid, ppid] = line.trim().split(/\s+/).map(Number);
      if (pid !== undefined && ppid !== undefined && Number.isInteger(pid)) parents.set(pid, ppid);
    }
  } catch {
    // no way to list processes: only the root itself can be ended
  }
  return parents;
}

/** Every process descended from `root` (children, their children, ...), not `root` itself. */
export function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parentsNow()) {
    const list = children.get(ppid);
    if (list === undefined) children.set(ppid, [pid]);
    else list.push(pid);
  }
  const found: number[] = [];
  const queue = [root];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    for (const child of children.get(next) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/**
 * Kills every descendant of `root`, then `root` itself when `withRoot`. The descendants are
 * stopped first and listed again until no new one appears, so none can start another (or be
 * re-parented away) between the listing and the kill.
 */
export function killProcessTree(root: number, withRoot: boolean): void {
  const stopped = new Set<number>();
  for (let round = 0; round < 10; round++) {
    const fresh = descendantsOf(root).filter((pid) => !stopped.has(pid));
    if (fresh.length === 0) break;
    for (const pid of fresh) {
      signal(pid, "SIGSTOP");
      stopped.add(pid);
    }
  }
  for (const pid of stopped) signal(pid, "SIGKILL");
  if (withRoot) signal(root, "SIGKILL");
}
