// Error classes of the runtime API. Each failure gets its own class so callers can tell them
// apart with `instanceof`; every instance is created where the failure happens (no singletons).

/** Base class of every error threadlens throws on purpose. */
export class ThreadlensError extends Error {
  override name = "ThreadlensError";
}

/** A primitive was used against its contract (Python's RuntimeError), e.g. release unheld. */
export class LockStateError extends ThreadlensError {
  override name = "LockStateError";
}

/** An argument has the wrong type or value (Python's TypeError/ValueError). */
export class ArgumentError extends ThreadlensError {
  override name = "ArgumentError";
}

/** `BoundedSemaphore.release()` above its initial value. */
export class OverReleaseError extends ThreadlensError {
  override name = "OverReleaseError";
}

/** `Queue.putNowait` (or `put` with a timeout) on a full queue. */
export class QueueFull extends ThreadlensError {
  override name = "QueueFull";
}

/** `Queue.getNowait` (or `get` with a timeout) on an empty queue. */
export class QueueEmpty extends ThreadlensError {
  override name = "QueueEmpty";
}

/** `put` on a queue after `shutdown()`, or `get` on a shut-down queue that is empty. */
export class QueueShutDown extends ThreadlensError {
  override name = "QueueShutDown";
}

/** `taskDone()` called more times than items were put. */
export class TaskDoneError extends ThreadlensError {
  override name = "TaskDoneError";
}

/** A barrier was broken (timeout, abort) while threads waited on it. */
export class BrokenBarrierError extends ThreadlensError {
  override name = "BrokenBarrierError";
}

/** `Connection.recv()` after the other end was closed and nothing is left to read. */
export class EOFError extends ThreadlensError {
  override name = "EOFError";
}

/** `Connection.send()` after the other end was closed. */
export class BrokenPipeError extends ThreadlensError {
  override name = "BrokenPipeError";
}

/** A Thread or Pool was used out of order (start twice, join before start, join before close). */
export class ThreadStateError extends ThreadlensError {
  override name = "ThreadStateError";
}

/** A task submitted to a Pool failed in its worker; `cause` carries the worker's error. */
export class PoolTaskError extends ThreadlensError {
  override name = "PoolTaskError";
}
