// Worker: waits until `go` is set, then exits with `code`.
import { threadArgs, type Event } from "threadlens";

const [go, code] = threadArgs<[Event, number]>();
await go.wait();
process.exitCode = code;
