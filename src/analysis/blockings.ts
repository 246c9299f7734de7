// What a thread is blocked in (the run state keeps a stack of them per thread): an acquisition,
// a join, or a wait on a condition, event, queue, barrier or word.
import type { WaitReason } from "../protocol/events.ts";

interface BlockingBase {
  /** Call site of the begin event (0 when not captured). */
  readonly site: number;
  /** The wait has a timeout, so it ends by itself: it never makes a deadlock or a hang. */
  readonly timed: boolean;
  /** Time of the begin event. */
  readonly since: number;
}

export interface AcquireBlocking extends BlockingBase {
  readonly kind: "acquire";
  readonly object: number;
  /** A shared acquisition (a read lock). */
  readonly shared: boolean;
}

export interface JoinBlocking extends BlockingBase {
  readonly kind: "join";
  readonly target: number;
}

export interface WaitBlocking extends BlockingBase {
  readonly kind: "wait";
  readonly object: number;
  readonly reason: WaitReason;
  /** The object's notify count when the wait began ("never notified" since). */
  readonly notifiesBefore: number;
}

export type Blocking = AcquireBlocking | JoinBlocking | WaitBlocking;
