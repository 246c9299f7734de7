// Python's threading.current_thread() / enumerate() / active_count(), over logical threads.
import { currentLogicalThread, type LogicalThread } from "./logicalThread.ts";
import { readThreadTable, type ThreadTableEntry } from "./world.ts";

/** The logical thread running this code: main, a worker, or a spawned task. */
export function currentThread(): LogicalThread {
  return currentLogicalThread();
}

/** Every live logical thread of the process (all threads, all tasks), by ident. */
export function enumerate(): ThreadTableEntry[] {
  return readThreadTable();
}

/** How many logical threads are alive. */
export function activeCount(): number {
  return readThreadTable().length;
}
