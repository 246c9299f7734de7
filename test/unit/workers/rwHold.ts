// Worker: takes `rw` for writing (Sync), signals `ready`, holds it until `go` is set, then
// releases it.
import { threadArgs, type Event, type RWLock } from "threadlens";

const [rw, ready, go] = threadArgs<[RWLock, Event, Event]>();
rw.acquireWriteSync();
ready.set();
go.waitSync();
rw.releaseWrite();
