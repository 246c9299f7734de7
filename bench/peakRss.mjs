// Preloaded after threadlens/register by bench/threads.bench.ts: at exit, after the preload's
// own exit work (the recorder's final flush), prints the process's peak resident set size and
// its CPU time, on a line of its own on stderr. In the main thread only: workers inherit the
// --import, and a worker's exit came first, with the process's figures at that moment.
import { isMainThread } from "node:worker_threads";

if (isMainThread) {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
    process.stderr.write(`\nthreadlens-bench: maxRSS=${usage.maxRSS} cpuMs=${cpuMs.toFixed(0)}\n`);
  });
}
