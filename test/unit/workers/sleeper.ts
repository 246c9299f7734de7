// Worker: sleeps `ms` milliseconds, then exits with `code`.
import { threadArgs } from "threadlens";

const [ms, code] = threadArgs<[number, number]>();
await new Promise((r) => setTimeout(r, ms));
process.exitCode = code;
