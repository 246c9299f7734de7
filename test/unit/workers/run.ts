// Worker: runs one named scenario step of the contract tests (see steps below) with its args.
import { threadArgs } from "threadlens";
import { steps } from "./steps.ts";

const [step, ...rest] = threadArgs<[string, ...unknown[]]>();
const fn = steps[step];
if (fn === undefined) throw new Error(`unknown step ${step}`);
await fn(...rest);
