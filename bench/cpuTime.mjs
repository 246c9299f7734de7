// CPU time (user + system, every thread, and the children it waited for) of one command, for
// the benches that compare plain node with the preload: on a machine other programs share,
// CPU time moves far less with their load than wall time does. Runs the command through
// bash's `time` (TIMEFORMAT at millisecond precision) with its own stdout and stderr kept.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const timesDir = mkdtempSync(path.join(tmpdir(), "threadlens-cpu-"));
process.on("exit", () => rmSync(timesDir, { recursive: true, force: true }));
let runs = 0;

/**
 * spawnSync(command, args, options) through bash's `time`: the result has `cpuMs` besides
 * status, stdout and stderr (NaN where bash is missing).
 */
export function spawnTimed(command, args, options) {
  const timesFile = path.join(timesDir, `${runs++}.txt`);
  const script = 'TIMEFORMAT="%3U %3S"; { time "$@" 2>&3; } 3>&2 2>"$THREADLENS_BENCH_TIMES"';
  const r = spawnSync("bash", ["-c", script, "bash", command, ...args], {
    ...options,
    env: { ...(options.env ?? process.env), THREADLENS_BENCH_TIMES: timesFile },
  });
  let cpuMs = NaN;
  try {
    const [user, system] = readFileSync(timesFile, "utf8").trim().split(/\s+/).map(Number);
    cpuMs = ((user ?? NaN) + (system ?? NaN)) * 1000;
  } catch {
    // no bash, or it did not write its times
  }
  return { ...r, cpuMs };
}

/**
 * Whether every process of a bench, plain or not, parses extra CA certificates at its start
 * (NODE_EXTRA_CA_CERTS: some 40 ms for a system bundle), which makes a short program's ratio
 * look smaller than a usual environment's: the benches' headers say which their figures are.
 */
export function caCertsNote() {
  const certs = process.env["NODE_EXTRA_CA_CERTS"];
  return certs === undefined || certs === ""
    ? "NODE_EXTRA_CA_CERTS unset"
    : `NODE_EXTRA_CA_CERTS=${certs} (every process parses it at its start)`;
}
