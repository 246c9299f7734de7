// Worker: takes `lock`, signals `ready`, holds the lock until `go` is set, then releases it.
import { threadArgs, type AnyLock, type Event } from "threadlens";

const [lock, ready, go] = threadArgs<[AnyLock, Event, Event]>();
lock.acquireSync();
ready.set();
go.waitSync();
lock.release();
