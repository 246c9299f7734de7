// The preload's ES module build (dist/register.mjs: `node --import threadlens/register`): the
// preload itself (register.ts, shared with its CommonJS build), then, awaited before the
// program's first module runs, async-mutex's ES module build instrumented in place where the
// program's static imports reach it, instead of through the module hooks' thread.
import { instrumentAsyncMutexBuilds } from "./register.ts";

await instrumentAsyncMutexBuilds();
