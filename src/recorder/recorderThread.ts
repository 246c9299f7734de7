// The recorder thread (DESIGN 4), started by the preload in the program's main thread. It
// drains every thread's ring, keeps the coarse clock, runs the online analysis, writes the
// trace file, and tells the supervisor (CLI, debug adapter) or the user what it found. It runs
// while every application thread is blocked, which is when it matters most. A program that ends
// before it started its recorder thread (register.ts starts it when something can block, or
// wait, or when a worker or a process of the run starts) has this code loaded in its main
// thread at exit instead, to drain and report once (RECORDER_IN_MAIN_KEY).
import {
  BroadcastChannel,
  isMainThread,
  receiveMessageOnPort,
  workerData,
  type MessagePort,
} from "node:worker_threads";
import { readFileSync } from "node:fs";
import type { MetaRecord, TraceEvent } from "../protocol/events.ts";
import {
  CLOCK_NOW,
  CLOCK_WANTED,
  CONTROL_DRAIN_DONE,
  CONTROL_DRAIN_REQUEST,
  CONTROL_EXIT_CODE,
  CONTROL_FLUSH_DONE,
  FLUSH_DONE_BLOCKED,
  CONTROL_FLUSH_REQUEST,
  CONTROL_READY,
  CONTROL_STOP,
  PAUSE_WORD,
} from "../protocol/recorderControl.ts";
import {
  RECORDER_CHANNEL,
  RECORDER_IN_MAIN_KEY,
  STOP_CHANNEL,
  type RecorderMessage,
} from "../protocol/recorderWire.ts";
import { mergeByTime } from "../analysis/eventOrder.ts";
import { RingReader } from "./ringReader.ts";
import { RecorderSession, type RecorderSettings } from "./session.ts";
import { createOnlineAnalysis } from "./analysisBinding.ts";
import { PauseControl, readControlCommands } from "./pauseControl.ts";
import { ProcessHub } from "./processHub.ts";
import { ProcessRelay } from "./processRelay.ts";
import { BUSY_TICK_MS, Pacing } from "./pacing.ts";
import type { ProcessSettings } from "../protocol/processLink.ts";
import { killProcessTree } from "../protocol/processTree.ts";
import { EXIT_BLOCKED, EXIT_START } from "../protocol/exitCodes.ts";
import { failureMessage, reportFailure } from "./failure.ts";

interface RecorderData {
  /** The main thread's messages (its end is the runtime's MAIN_PORT_KEY). */
  readonly mainPort: MessagePort;
  readonly control: SharedArrayBuffer;
  readonly clock: SharedArrayBuffer;
  readonly pause: SharedArrayBuffer;
  readonly settings: RecorderSettings;
  readonly processes: ProcessSettings;
}

/** Loaded in the main thread at its exit: drain and report once, no thread of its own. */
const inMain = isMainThread;
const globals = globalThis as Record<symbol, unknown>;
const data = (inMain ? globals[RECORDER_IN_MAIN_KEY] : workerData) as RecorderData;
const control = new Int32Array(data.control);
const clockWords = new Int32Array(data.clock);
const epoch = new Float64Array(data.clock, 8, 1)[0] ?? 0;
/** This thread's time origin less the run's epoch (ms), as the threads' preciseTime() has it. */
const sinceEpoch = performance.timeOrigin - epoch;

function nowMicros(): number {
  return Math.round((sinceEpoch + performance.now()) * 1000);
}

const rings: RingReader[] = [];
const parkedToRelay: Extract<RecorderMessage, { type: "parked" }>[] = [];
const pendingMeta: MetaRecord[] = [];
const stopChannel = inMain ? undefined : new BroadcastChannel(STOP_CHANNEL);

/**
 * Ends the program after a blocking finding (exit 2) or a failure of the recorder (exit 3)
 * when no supervisor does it: the main thread exits with that code if its event loop can run
 * (it is parked in async waits); a main thread blocked in Atomics.wait cannot run anything, so
 * after a grace period the process is killed.
 */
function stopProgram(exitCode = EXIT_BLOCKED): void {
  if (data.settings.outputFd !== undefined) return; // the supervisor stops it
  // Threads parked in threadlens' Sync waits look at this word (parking.ts); a main thread
  // parked in async waits gets the message.
  Atomics.store(control, CONTROL_STOP, exitCode + 1);
  stopChannel?.postMessage({ exitCode });
  setTimeout(() => process.kill(process.pid, "SIGKILL"), 1000).unref();
}

let failed = false;
// A failure of the recorder itself must never leave the program unwatched (a deadlock would
// then hang for good): it is reported, and the program is stopped with exit 3. The exit
// handler of the main thread must not wait for a flush that will never come.
if (!inMain) process.on("uncaughtException", onFailure);
function onFailure(error: unknown): void {
  if (failed) return;
  failed = true;
  clearInterval(clockTimer);
  clearInterval(drainTimer);
  reportFailure(data.settings.outputFd, failureMessage("the recorder failed", error), true);
  markReady();
  Atomics.store(control, CONTROL_FLUSH_DONE, 1);
  Atomics.notify(control, CONTROL_FLUSH_DONE);
  stopProgram(EXIT_START);
}

const session = new RecorderSession(
  data.settings,
  (file) => {
    try {
      return readFileSync(file, "utf8");
    } catch {
      return undefined;
    }
  },
  createOnlineAnalysis,
  stopProgram,
);

const pause = new PauseControl(
  data.pause,
  (message) => session.tellSupervisor(message),
  // `hub` is set below, before the first tick.
  (ident, generation) => hub?.pauseAppliedAt(ident, generation) ?? null,
);
if (data.settings.controlFd !== undefined) {
  readControlCommands(
    data.settings.controlFd,
    (command) => {
      // What the program did up to the command is on the supervisor's side before the answer.
      drain();
      pause.command(command);
      // The program's child processes pause and go on with it.
      hub?.command(
        command.command === "pause"
          ? { type: "pause", generation: pause.generation }
          : { type: "continue" },
      );
    },
    // The supervisor is gone (ended, or killed: this pipe's end of file is the only sign of a
    // SIGKILL): the program and what it started must not outlive it, paused or blocked.
    () => killProcessTree(process.pid, true),
  );
}

// The run's processes (protocol/processLink.ts): the root's recorder gathers the others', the
// recorder of a child process relays its own to the root.
const relay =
  data.processes.relayTo === undefined
    ? undefined
    : new ProcessRelay(
        data.processes.relayTo,
        epoch,
        data.settings.program,
        data.processes.link,
        data.processes.label,
        (command) => {
          // The root's pause: this process's threads park under the root's generation.
          const word = new Int32Array(data.pause);
          Atomics.store(word, PAUSE_WORD, command.type === "pause" ? command.generation : 0);
          if (command.type === "continue") Atomics.notify(word, PAUSE_WORD);
          // The root counts this process's time to park from here, not from its own pause: the
          // hop between processes can be long on a loaded machine.
          else relay?.pauseApplied(command.generation);
        },
      );
const hub =
  data.processes.listen === undefined
    ? undefined
    : new ProcessHub(
        data.processes.listen,
        process.pid,
        epoch,
        (record) => pendingMeta.push(record),
        nowMicros,
        (generation, thread) => pause.parked(generation, thread),
      );

if (hub !== undefined) session.watchProcesses(() => hub.cutProcesses());

const channel = inMain ? undefined : new BroadcastChannel(RECORDER_CHANNEL);
const mainPort = data.mainPort;
// Node takes a BroadcastChannel where its types say MessagePort (receiveMessageOnPort, v15.12).
const ports = channel === undefined ? [mainPort] : [mainPort, channel as unknown as MessagePort];
/** What the recorder has taken in so far (messages, records, events): its pace (pacing.ts). */
let news = 0;
function received(m: RecorderMessage): void {
  news++;
  if (m.type === "ring") rings.push(new RingReader(m.buffer, m.host));
  else if (m.type === "parked") {
    // A child process's thread: told to the root after this drain's records and events.
    if (relay !== undefined) parkedToRelay.push(m);
    else pause.parked(m.generation, { thread: m.thread, site: m.site });
  } else pendingMeta.push(m.record);
}
if (channel !== undefined) {
  channel.onmessage = (message: unknown) => received((message as { data: RecorderMessage }).data);
  mainPort.on("message", (message: RecorderMessage) => received(message));
  mainPort.unref();
}

/** Everything queued for the recorder by now, from the main thread's port and the channel. */
function receivePending(): void {
  for (const port of ports) {
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port))
      received(m.message as RecorderMessage);
  }
}

/** Threads waiting for the recorder to listen go on (recorderControl.ts CONTROL_READY). */
function markReady(): void {
  Atomics.store(control, CONTROL_READY, 1);
  Atomics.notify(control, CONTROL_READY);
}

/** A thread's idle beat older than this says it is busy (its watcher beats every 20 ms). */
const IDLE_BEAT_STALE_MICROS = 100_000;

/**
 * Events read in one round of a drain, over all rings. A flood fills every ring between two
 * drains: read and decoded at once (hundreds of thousands of events), a drain's events all
 * outlived the young generation's collections and were promoted, and the recorder's heap grew
 * by a hundred MB of dead events between full collections (issue 12). Read in rounds, a
 * round's events die young.
 */
const ROUND_EVENTS = 16_384;
/** Read from each ring per round at least (many rings: rounds stay few). */
const ROUND_MIN_PER_RING = 256;

function drain(final = false): void {
  const drained = rings.slice();
  const perRing = Math.max(
    ROUND_MIN_PER_RING,
    Math.floor(ROUND_EVENTS / Math.max(1, drained.length)),
  );
  // Each ring's events read and not handed on yet; whether it may hold more; how much of it
  // this drain has read (at most about a ring's worth, as one read was: a thread that keeps
  // writing cannot keep the drain going).
  const buffered: TraceEvent[][] = drained.map(() => []);
  const open = drained.map(() => true);
  const taken = drained.map(() => 0);
  for (;;) {
    // A ring is read again only once what was read of it is handed on: a ring whose events are
    // later than the others' waits, and no round holds more than a few events per ring.
    drained.forEach((ring, i) => {
      if (!open[i] || (buffered[i]?.length ?? 0) > 0) return;
      buffered[i] = ring.drain(perRing);
      taken[i] = (taken[i] ?? 0) + perRing;
      open[i] = ring.cut && (taken[i] ?? 0) < ring.capacity;
    });
    // The records a thread posted before the events just read are on the channel (or main's
    // port) by now (a timer may run before their delivery): taken first, they precede those
    // events.
    takeMeta();
    // A ring read in part may hold more events as old as the last one read from it: later
    // events of the others wait, so that what is handed on stays in time order across rounds.
    let horizon = Infinity;
    drained.forEach((_, i) => {
      const last = buffered[i]?.at(-1);
      if (open[i] === true && last !== undefined) horizon = Math.min(horizon, last.time);
    });
    if (horizon === Infinity) {
      deliver(mergeByTime(buffered), final, nowMicros(), true);
      return;
    }
    const ready = buffered.map((events, i) => {
      let n = 0;
      while (n < events.length && (events[n]?.time ?? 0) <= horizon) n++;
      if (n === events.length) {
        buffered[i] = [];
        return events;
      }
      buffered[i] = events.slice(n);
      return events.slice(0, n);
    });
    deliver(mergeByTime(ready), false, horizon - 1, false);
  }
}

function takeMeta(): void {
  receivePending();
  news += pendingMeta.length;
  for (const record of pendingMeta.splice(0)) {
    if (relay !== undefined) relay.addMeta(record);
    else {
      const own = hub === undefined ? record : hub.rootMeta(record);
      if (own !== undefined) session.addMeta(own);
    }
  }
}

/**
 * Hands on a round of a drain: `reached`, the time up to which everything is handed on;
 * `last`, the drain's last round (with the loops' changes, and the trace written out).
 */
function deliver(batch: TraceEvent[], final: boolean, reached: number, last: boolean): void {
  if (last) {
    for (const ring of rings) {
      const change = ring.loopChange(reached, IDLE_BEAT_STALE_MICROS);
      if (change !== undefined) batch.push(change);
    }
  }
  if (relay !== undefined) {
    news += batch.length;
    if (batch.length > 0 || last) relay.addEvents(batch, reached);
    if (last) for (const m of parkedToRelay.splice(0)) relay.parked(m.generation, m.thread, m.site);
    return;
  }
  const events = hub === undefined ? batch : hub.take(batch, final);
  news += events.length;
  session.addEvents(
    events,
    rings.reduce((n, r) => n + r.dropped, 0),
  );
  if (last) session.flushTrace();
}

function setClock(): void {
  Atomics.store(clockWords, CLOCK_NOW, nowMicros() | 0);
}

function tick(): void {
  if (!pacing.quiet) setClock();
  drain();
  const wanted = pacing.quiet && Atomics.load(clockWords, CLOCK_WANTED) !== 0;
  const period = pacing.after(news, nowMicros(), pause.settling, wanted);
  if (period !== undefined) pace(period);
  // A paused program makes no progress by design: that is neither a hang nor a timeout.
  if (relay !== undefined) return; // the root's recorder analyses
  if (!pause.paused) session.check(nowMicros());
  else if (pause.settling) pause.tick(session.threads());
}

/** Ticks every `period` ms; the clock runs with busy ticks and rests with quiet ones. */
function pace(period: number): void {
  clearInterval(drainTimer);
  drainTimer = setInterval(tick, period);
  clearInterval(clockTimer);
  Atomics.store(clockWords, CLOCK_WANTED, 0);
  if (period === BUSY_TICK_MS) {
    setClock();
    clockTimer = setInterval(setClock, 1);
  } else {
    clockTimer = undefined;
    Atomics.store(clockWords, CLOCK_NOW, 0);
  }
}

// The clock runs at 1 ms, the drain and the online check at 5 ms (every 25 ms, the clock
// resting, once nothing has come in for a while: pacing.ts): a deadlock is reported within the
// analysis' stability window plus one tick.
let clockTimer = inMain ? undefined : setInterval(setClock, 1);
const pacing = new Pacing(nowMicros());
let drainTimer = inMain ? undefined : setInterval(tick, BUSY_TICK_MS);
if (!inMain) tick();

let finishing = false;

/** Drains on a thread's request (recorderControl.ts CONTROL_DRAIN_REQUEST). */
async function serveDrainRequests(): Promise<void> {
  let served = 0;
  for (;;) {
    const result = Atomics.waitAsync(control, CONTROL_DRAIN_REQUEST, served);
    if (result.async) await result.value;
    if (failed || finishing) return;
    const asked = Atomics.load(control, CONTROL_DRAIN_REQUEST);
    drain();
    served = asked;
    Atomics.store(control, CONTROL_DRAIN_DONE, asked);
    Atomics.notify(control, CONTROL_DRAIN_DONE);
  }
}

async function awaitFlushRequest(): Promise<void> {
  for (;;) {
    const result = Atomics.waitAsync(control, CONTROL_FLUSH_REQUEST, 0);
    if (result.async) await result.value;
    if (Atomics.load(control, CONTROL_FLUSH_REQUEST) !== 0) break;
  }
  if (failed) return;
  finishing = true;
  clearInterval(clockTimer);
  clearInterval(drainTimer);
  // Let dictionary records posted just before the exit arrive.
  await new Promise((resolve) => setTimeout(resolve, 1));
  drain(true);
  const exitCode = Atomics.load(control, CONTROL_EXIT_CODE);
  let blocked = false;
  if (relay !== undefined) await relay.finish(exitCode);
  else blocked = session.finish(exitCode);
  hub?.close();
  Atomics.store(control, CONTROL_FLUSH_DONE, blocked ? FLUSH_DONE_BLOCKED : 1);
  Atomics.notify(control, CONTROL_FLUSH_DONE);
}

/** In the main thread at its exit: everything recorded, analyzed and reported at once. */
function finishInMain(): boolean {
  receivePending(); // the rings announced so far, before their one drain
  drain(true);
  return session.finish(Atomics.load(control, CONTROL_EXIT_CODE));
}

if (inMain) {
  globals[RECORDER_IN_MAIN_KEY] = finishInMain;
} else {
  void awaitFlushRequest();
  void serveDrainRequests();
  // The channel above is listening (and the socket child processes connect to): threads that
  // waited for it go on.
  if (hub === undefined) markReady();
  else void hub.listening.then(markReady);
}
