// The preload's start of the recorder thread (register.ts, main thread only). Under a
// supervisor (`threadlens run`, the debug adapter: they stream, pause, time out), with a trace
// file, or in a child process that relays to its root, it starts with the program, as before.
// Otherwise it starts when the program first needs it: before anything can block or wait (a
// Sync wait: at once; an async wait still open 20 ms after it began: openWaits.ts; a loop with
// nothing but threadlens waits left: within a few milliseconds), before a worker or a process
// of the run starts, once main has recorded a sixteenth of its ring (recording.ts), or after
// LAZY_START_MS of running. Starting a worker costs as much CPU time as the rest of the
// preload's start together, and a short program that never waits has nothing for the online
// analysis to watch: a program that ends before its recorder started is analyzed and reported
// in its main thread at exit, from the same events (the recorder's code loaded there:
// recorderThread.ts, RECORDER_IN_MAIN_KEY).
import { createRequire } from "node:module";
import { rmdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  BroadcastChannel,
  MessageChannel,
  Worker,
  setEnvironmentData,
  type MessagePort,
} from "node:worker_threads";
import {
  CLOCK_BYTES,
  CONTROL_DATA_KEY,
  CONTROL_EXIT_CODE,
  CONTROL_FLUSH_DONE,
  CONTROL_FLUSH_REQUEST,
  CONTROL_READY,
  CONTROL_WORDS,
  ENV_CONTROL_FD,
  ENV_OUTPUT_FD,
  ENV_PROGRAM,
  ENV_STREAM,
  ENV_TIMEOUT_MS,
  ENV_TRACE_FILE,
  FLUSH_DONE_BLOCKED,
  PAUSE_DATA_KEY,
} from "../protocol/recorderControl.ts";
import {
  MAIN_PORT_KEY,
  NOTHING_RECORDED_KEY,
  RECORDER_IN_MAIN_KEY,
  RECORDER_WORKER_MARK,
  START_RECORDER_KEY,
  STOP_CHANNEL,
} from "../protocol/recorderWire.ts";
import {
  ENV_PROCESS_LINK,
  ENV_RECORDER_SOCKET,
  type ProcessLink,
  type ProcessSettings,
} from "../protocol/processLink.ts";
import { makeSocketDir, sweepOrphanedSocketDirs } from "./recorderSocketDir.ts";
import { loadWithCodeCache } from "./runtimeCode.ts";

// The engine's own Atomics, taken before the runtime instruments the globals (the exit-time
// flush must not be recorded as a wait of the program).
const rawNotify = Atomics.notify;
const rawWait = Atomics.wait;
const distDir = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const globals = globalThis as Record<symbol, unknown>;

/** A program still running this long gets its recorder thread whatever it does. */
const LAZY_START_MS = 2000;
/** How soon after an async wait begins (a deadlock is reported within 100 ms). */
const SOON_MS = 10;

function positiveInt(value: string | undefined): number | undefined {
  const n = value === undefined ? NaN : Number(value);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * The supervisor's command fd, taken out of the environment: a program's own child processes
 * under this preload must not read another process's commands from whatever their fd is.
 */
function takeControlFd(): number | undefined {
  const fd = positiveInt(process.env[ENV_CONTROL_FD]);
  delete process.env[ENV_CONTROL_FD];
  return fd;
}

function takeSupervisorEnv(): Record<string, string | undefined> {
  const taken: Record<string, string | undefined> = {};
  for (const name of [ENV_OUTPUT_FD, ENV_TRACE_FILE, ENV_TIMEOUT_MS, ENV_PROGRAM, ENV_STREAM]) {
    taken[name] = process.env[name];
    delete process.env[name];
  }
  return taken;
}

/** A cluster worker's name (`cluster-worker-<id>`, its `cluster.worker.id`); else undefined. */
function clusterLabel(): string | undefined {
  const cluster = require("node:cluster") as import("node:cluster").Cluster;
  const id = cluster.isWorker ? cluster.worker?.id : undefined;
  return id === undefined ? undefined : `cluster-worker-${id}`;
}

/**
 * This process's part in the run's recording (protocol/processLink.ts): a child of a process
 * under the preload (a threadlens Process, or a plain fork: it has an IPC channel) relays to
 * the root's recorder; any other process is a root, with a socket in a private directory
 * (made now, so that every child process started from now on inherits its path; its recorder
 * listens there once started, and a child retries its connection until then).
 */
function processSettings(): ProcessSettings & { dir?: string } {
  const rootSocket = process.env[ENV_RECORDER_SOCKET];
  const linkText = process.env[ENV_PROCESS_LINK];
  delete process.env[ENV_PROCESS_LINK];
  const link = linkText === undefined ? undefined : (JSON.parse(linkText) as ProcessLink);
  if (rootSocket !== undefined && (link !== undefined || typeof process.send === "function"))
    return { relayTo: rootSocket, link, label: link === undefined ? clusterLabel() : undefined };
  const dir = makeSocketDir();
  const listen = path.join(dir, "recorder.sock");
  process.env[ENV_RECORDER_SOCKET] = listen;
  return { listen, dir };
}

/**
 * Sets up the recorder's shared words and the main thread's port, and starts the recorder
 * thread now or when first needed (see the file's comment). Nothing recorded before it starts
 * is lost: the main thread's messages wait in its port (handed to the recorder at its start),
 * the rings keep their events, and whatever must not go ahead of the recorder asks for it
 * (START_RECORDER_KEY) and waits for its ready word (CONTROL_READY: recording.ts).
 */
export function startRecorder(): void {
  const clock = new SharedArrayBuffer(CLOCK_BYTES);
  new Float64Array(clock, 8, 1)[0] = performance.timeOrigin;
  setEnvironmentData("threadlens:clock", clock);
  // The debugger's pause word (pause.ts): every thread started from now on sees it.
  const pause = new SharedArrayBuffer(4);
  setEnvironmentData(PAUSE_DATA_KEY, pause);
  const control = new SharedArrayBuffer(CONTROL_WORDS * 4);
  const controlWords = new Int32Array(control);
  setEnvironmentData(CONTROL_DATA_KEY, control);
  // Read once and removed: the program's own child processes (which inherit the environment)
  // are not this supervisor's program, and fd 3 of a forked child is its IPC channel.
  const env = takeSupervisorEnv();
  const { dir, ...processes } = processSettings();
  const { port1: mainPort, port2: recorderPort } = new MessageChannel();
  mainPort.unref();
  globals[MAIN_PORT_KEY] = mainPort;
  const settings = {
    outputFd: positiveInt(env[ENV_OUTPUT_FD]),
    controlFd: takeControlFd(),
    traceFile: env[ENV_TRACE_FILE] || undefined,
    timeoutMs: positiveInt(env[ENV_TIMEOUT_MS]),
    program: env[ENV_PROGRAM] ?? process.argv[1] ?? "",
    stream: env[ENV_STREAM] === "1",
    cwd: process.cwd(),
  };
  const atOnce =
    settings.outputFd !== undefined ||
    settings.controlFd !== undefined ||
    settings.traceFile !== undefined ||
    settings.timeoutMs !== undefined ||
    settings.stream ||
    processes.relayTo !== undefined ||
    process.env["THREADLENS_LAZY_RECORDER"] === "0";

  let started = false;
  let soon: NodeJS.Timeout | undefined;
  const startThread = (): void => {
    if (started) return;
    started = true;
    delete globals[START_RECORDER_KEY];
    if (soon !== undefined) clearTimeout(soon);
    if (processes.listen !== undefined) sweepOrphanedSocketDirs();
    const recorder = new Worker(path.join(distDir, "recorderEntry.js"), {
      execArgv: [],
      transferList: [recorderPort],
      workerData: {
        [RECORDER_WORKER_MARK]: true,
        mainPort: recorderPort,
        processes,
        control,
        clock,
        pause,
        settings,
      },
    });
    recorder.on("error", (error) => {
      process.stderr.write(`threadlens: recorder failed: ${String(error)}\n`);
      // Nothing waits for a recorder that is gone (nor, at exit, for its flush).
      for (const word of [CONTROL_READY, CONTROL_FLUSH_DONE]) {
        if (Atomics.load(controlWords, word) === 0) Atomics.store(controlWords, word, 1);
        rawNotify(controlWords, word);
      }
    });
    recorder.unref();
    // After a deadlock with no supervisor, the recorder asks this thread to end the program.
    const stop = new BroadcastChannel(STOP_CHANNEL);
    stop.unref();
    stop.onmessage = (message: unknown) => {
      process.exit((message as { data: { exitCode: number } }).data.exitCode);
    };
  };

  process.on("exit", (code) => {
    Atomics.store(controlWords, CONTROL_EXIT_CODE, code);
    if (!started) {
      delete globals[START_RECORDER_KEY];
      if (dir !== undefined) {
        removeEmptyDir(dir);
        // What a recorder thread's start does first: the folders of roots killed before.
        sweepOrphanedSocketDirs();
      }
      // Nothing but main's own start and loop recorded: nothing to analyze (openWaits.ts).
      const nothingRecorded = globals[NOTHING_RECORDED_KEY];
      if (typeof nothingRecorded === "function" && nothingRecorded() === true) return;
      if (finishInMain(recorderPort, { control, clock, pause, settings })) process.exitCode = 2;
      return;
    }
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    Atomics.store(controlWords, CONTROL_FLUSH_REQUEST, 1);
    rawNotify(controlWords, CONTROL_FLUSH_REQUEST);
    rawWait(controlWords, CONTROL_FLUSH_DONE, 0, 5000);
    // A hang found only at the end (DESIGN 5.6): exit 2, as when it stops the program.
    if (Atomics.load(controlWords, CONTROL_FLUSH_DONE) === FLUSH_DONE_BLOCKED) process.exitCode = 2;
  });

  if (atOnce) {
    startThread();
    return;
  }
  globals[START_RECORDER_KEY] = (later: boolean): void => {
    if (!later) startThread();
    else soon ??= setTimeout(startThread, SOON_MS).unref();
  };
  setTimeout(startThread, LAZY_START_MS).unref();
}

/**
 * The program ends before its recorder started: the recorder's code, loaded here, drains main's
 * port and ring, analyzes and reports as the thread would have at the flush. Returns whether
 * the program ended blocked (exit code 2).
 */
function finishInMain(
  mainPort: MessagePort,
  shared: {
    control: SharedArrayBuffer;
    clock: SharedArrayBuffer;
    pause: SharedArrayBuffer;
    settings: object;
  },
): boolean {
  globals[RECORDER_IN_MAIN_KEY] = { ...shared, mainPort, processes: {} };
  try {
    loadWithCodeCache(path.join(distDir, "recorder.js"));
    const finish = globals[RECORDER_IN_MAIN_KEY] as () => boolean;
    return finish();
  } catch (error) {
    process.stderr.write(`threadlens: recorder failed: ${String(error)}\n`);
    return false;
  } finally {
    delete globals[RECORDER_IN_MAIN_KEY];
  }
}

function removeEmptyDir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    rmSync(dir, { recursive: true, force: true });
  }
}
