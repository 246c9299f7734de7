// threadlens runtime: Python-style synchronization primitives for worker threads and async
// tasks. `import { Lock, Thread, ... } from "threadlens"`.
import { reviveOnMessage } from "./messaging.ts";
import { installInstrumentation } from "./instrument/index.ts";
import { recordingOn } from "./recording.ts";
import { reportUncaughtErrors, watchForOrphaning } from "./process/childSide.ts";
import { internalRole } from "./process/internalWorker.ts";
import { runServer } from "./process/server.ts";
import { runCaller } from "./process/caller.ts";

reviveOnMessage();
watchForOrphaning();
reportUncaughtErrors();
// Under the preload, code that never imports threadlens is recorded too (DESIGN 3.2).
if (recordingOn) installInstrumentation();
// threadlens' own helper threads of processes sharing primitives (process/internalWorker.ts).
if (internalRole === "server") runServer();
else if (internalRole === "caller") runCaller();

export { Lock, RLock, withLock, type LockGuard, type LockOptions, type AnyLock } from "./lock.ts";
export { RWLock } from "./rwlock.ts";
export { acquireAll, acquireAllSync } from "./acquireAll.ts";
export { Condition, type ConditionOptions } from "./condition.ts";
export { Semaphore, BoundedSemaphore, type SemaphoreOptions } from "./semaphore.ts";
export { Event, type EventOptions } from "./event.ts";
export { Barrier, type BarrierOptions } from "./barrier.ts";
export {
  Queue,
  LifoQueue,
  PriorityQueue,
  type QueueOptions,
  type PutOptions,
  type GetOptions,
} from "./queue.ts";
export { Pipe, Connection, type PipeOptions } from "./pipe.ts";
export { Thread, threadArgs, type ThreadOptions } from "./thread.ts";
export { spawn, Task, type SpawnOptions } from "./task.ts";
export { Pool, AsyncResult, type PoolOptions } from "./pool.ts";
export { Process, processArgs, type ProcessOptions } from "./process/process.ts";
export { Manager, ManagedDict, ManagedList } from "./process/manager.ts";
export { currentThread, enumerate, activeCount } from "./threads.ts";
export { revive } from "./primitive.ts";
export type { LogicalThread } from "./logicalThread.ts";
export type { ThreadTableEntry } from "./world.ts";
export type { TimeoutOptions } from "./validate.ts";
export {
  ThreadlensError,
  LockStateError,
  ArgumentError,
  OverReleaseError,
  QueueFull,
  QueueEmpty,
  QueueShutDown,
  TaskDoneError,
  BrokenBarrierError,
  EOFError,
  BrokenPipeError,
  ThreadStateError,
  PoolTaskError,
} from "./errors.ts";
