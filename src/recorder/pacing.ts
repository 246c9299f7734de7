// How often the recorder thread drains the rings and runs the online check, and whether it
// keeps the coarse clock (recorderThread.ts). While anything comes in (events, records, rings):
// a tick every BUSY_TICK_MS, so that a deadlock is reported within the analysis' stability
// window plus one tick, and the clock every millisecond. Once nothing has for QUIET_AFTER_MICROS:
// a tick every QUIET_TICK_MS and the clock rests (its word 0: readers take the precise clock).
// Each tick and each clock beat wakes the recorder thread: at 1,200 wake-ups a second they cost
// an idle program (sleeping, waiting on I/O, paused in the debugger) about 5% of a core.
// Anything that comes in makes it busy again at the next tick, so what only time reveals
// without new events (a hang's 300 ms window, a timeout) is seen at most QUIET_TICK_MS later.
// A thread that needs the time without recording an event (an uncontended acquisition) finds
// the clock resting and asks for it (CLOCK_WANTED): busy again, and since such a thread may go
// on without events, the recorder waits twice as long before it rests the clock next time
// (up to MAX_QUIET_AFTER_MICROS), so that precise reads stay rare in a long busy loop.

export const BUSY_TICK_MS = 5;
export const QUIET_TICK_MS = 25;
/** Longer than the stability window (30 ms): a deadlock is found while ticks are frequent. */
export const QUIET_AFTER_MICROS = 200_000;
export const MAX_QUIET_AFTER_MICROS = 12_800_000;

export class Pacing {
  #quiet = false;
  #seen = 0;
  #lastNews: number;
  #quietAfter = QUIET_AFTER_MICROS;

  constructor(nowMicros: number) {
    this.#lastNews = nowMicros;
  }

  /** Ticks are rare and the clock rests. */
  get quiet(): boolean {
    return this.#quiet;
  }

  /**
   * After a tick: `news`, a count of everything the recorder has taken in so far (any change
   * is news); `busy`, something that needs frequent ticks whatever comes in (a pause settling);
   * `wanted`, a thread asked for the resting clock. Returns the tick period to change to, if it
   * changes (BUSY_TICK_MS: run the clock again; QUIET_TICK_MS: rest it).
   */
  after(news: number, nowMicros: number, busy: boolean, wanted = false): number | undefined {
    const fresh = news !== this.#seen;
    if (fresh || busy || wanted) {
      this.#seen = news;
      this.#lastNews = nowMicros;
      if (!this.#quiet) return undefined;
      this.#quiet = false;
      // Woken only by a thread that needed the time: it may well go on without events.
      if (!fresh && !busy)
        this.#quietAfter = Math.min(this.#quietAfter * 2, MAX_QUIET_AFTER_MICROS);
      return BUSY_TICK_MS;
    }
    if (this.#quiet || nowMicros - this.#lastNews < this.#quietAfter) return undefined;
    this.#quiet = true;
    return QUIET_TICK_MS;
  }
}
