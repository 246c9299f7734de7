// Drains one thread's event ring (the recorder side of src/runtime/recording.ts).
import { EVENT_WORDS, decodeEvent } from "../protocol/binaryEvents.ts";
import { LOOP_MESSAGES_ONLY, type TraceEvent } from "../protocol/events.ts";
import {
  RING_DROPPED,
  RING_HEADER_WORDS,
  RING_IDLE_BEAT,
  RING_MESSAGE_SITE,
  RING_MESSAGES,
  RING_READ,
  RING_WRITE,
} from "../protocol/recorderWire.ts";

const WRAP = 2 ** 32;

export class RingReader {
  readonly #words: Int32Array;
  readonly #capacity: number;
  /** Added to the 32-bit µs timestamps so that times keep growing past their wrap. */
  #timeBase = 0;
  #lastRaw = 0;
  /** Events of one thread keep their order: a coarse stamp never goes before a precise one. */
  #lastTime = 0;

  constructor(
    buffer: SharedArrayBuffer,
    readonly host: number,
  ) {
    this.#words = new Int32Array(buffer);
    this.#capacity = (this.#words.length - RING_HEADER_WORDS) / EVENT_WORDS;
  }

  /** What the last loop-idle event this reader made said. */
  #waitingForMessages = false;
  /** Where it said the thread listens. */
  #messageSite = 0;
  /** The thread's count of messages received when this reader last looked. */
  #messages = 0;

  /**
   * A loop-idle (LOOP_MESSAGES_ONLY) event for this thread when what its idle watcher says
   * changed: idle while its last beat is younger than `staleMicros` (a thread busy running
   * code cannot beat, so its beat goes stale). While it stays idle, another such event each
   * time it has received messages since the last look: a thread whose handlers run between
   * two beats is talking, and the event restarts the hang analysis' wait for stability.
   */
  loopChange(nowMicros: number, staleMicros: number): TraceEvent | undefined {
    const beat = Atomics.load(this.#words, RING_IDLE_BEAT);
    const waiting = beat !== 0 && (((nowMicros | 0) - beat) | 0) < staleMicros;
    const received = Atomics.load(this.#words, RING_MESSAGES);
    const talked = received !== this.#messages;
    this.#messages = received;
    // Where it listens for the messages it waits for. It may add its listener after its first
    // idle beat (a worker's loop can look idle while its entry module still loads): a listener
    // added since the last event is told in another one.
    const site = waiting ? Atomics.load(this.#words, RING_MESSAGE_SITE) : 0;
    const moved = site !== this.#messageSite;
    if (waiting === this.#waitingForMessages && !(waiting && (talked || moved))) return undefined;
    this.#waitingForMessages = waiting;
    this.#messageSite = site;
    const time = Math.max(nowMicros, this.#lastTime);
    this.#lastTime = time;
    return {
      kind: "loop-idle",
      thread: this.host,
      object: LOOP_MESSAGES_ONLY,
      site,
      time,
      flag: waiting,
    };
  }

  get dropped(): number {
    return Atomics.load(this.#words, RING_DROPPED);
  }

  /** The last drain stopped at its limit: events are left in the ring. */
  cut = false;

  /** Events the ring holds at most. */
  get capacity(): number {
    return this.#capacity;
  }

  /** The events written since the last drain, in order: at most `limit` (the rest stay). */
  drain(limit = Infinity): TraceEvent[] {
    const words = this.#words;
    const write = Atomics.load(words, RING_WRITE);
    let read = Atomics.load(words, RING_READ);
    // A writer is never more than one ring ahead of the reader, nor behind it: counters that
    // say otherwise are corrupt, and reading by them could loop 2^32 times. At most one ring's
    // worth is read then.
    const pending = (write - read) | 0;
    if (pending < 0 || pending > this.#capacity)
      read = (write - Math.max(0, Math.min(pending, this.#capacity))) | 0;
    const out: TraceEvent[] = [];
    for (let taken = 0; read !== write && taken < limit; taken++) {
      const at = RING_HEADER_WORDS + (read & (this.#capacity - 1)) * EVENT_WORDS;
      const raw = (words[at + 3] ?? 0) >>> 0;
      // Coarse (0 before the clock runs) and precise stamps interleave; only a big backwards
      // jump is a wrap.
      if (raw + WRAP / 2 < this.#lastRaw) this.#timeBase += WRAP;
      if (raw > this.#lastRaw) this.#lastRaw = raw;
      const event = decodeEvent(words, at, this.#timeBase);
      if (event !== undefined) {
        if (event.time < this.#lastTime) out.push({ ...event, time: this.#lastTime });
        else {
          this.#lastTime = event.time;
          out.push(event);
        }
      }
      read = (read + 1) | 0;
    }
    Atomics.store(words, RING_READ, read);
    this.cut = read !== write;
    return out;
  }
}
