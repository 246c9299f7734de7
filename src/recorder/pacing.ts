// How often the recorder thread drains the rings and runs the online check (recorderThread.ts).
// Every BUSY_TICK_MS while anything comes in (events, records, rings), so that a deadlock is
// reported within the analysis' stability window plus one tick; once nothing has come in for
// QUIET_AFTER_MICROS, every QUIET_TICK_MS: each tick is a wake-up of the recorder thread, and
// at 200 a second they cost an idle program (sleeping, waiting on I/O, paused in the debugger)
// about 4% of a core. Anything that comes in makes it busy again at the next tick, so what
// only time reveals without new events (a hang's 300 ms window, a timeout) is seen at most
// QUIET_TICK_MS later. The coarse clock keeps its own 1 ms timer either way: uncontended
// acquisitions read it without recording an event, so a quiet recorder cannot tell an idle
// program from a busy one.

export const BUSY_TICK_MS = 5;
export const QUIET_TICK_MS = 25;
/** Longer than the stability window (30 ms): a deadlock is found while ticks are frequent. */
export const QUIET_AFTER_MICROS = 200_000;

export class Pacing {
  #quiet = false;
  #seen = 0;
  #lastNews: number;

  constructor(nowMicros: number) {
    this.#lastNews = nowMicros;
  }

  get quiet(): boolean {
    return this.#quiet;
  }

  /**
   * After a tick: `news`, a count of everything the recorder has taken in so far (any change
   * is news); `busy`, something that needs frequent ticks whatever comes in (a pause settling).
   * Returns the tick period to change to, if it changes.
   */
  after(news: number, nowMicros: number, busy: boolean): number | undefined {
    if (news !== this.#seen || busy) {
      this.#seen = news;
      this.#lastNews = nowMicros;
      if (!this.#quiet) return undefined;
      this.#quiet = false;
      return BUSY_TICK_MS;
    }
    if (this.#quiet || nowMicros - this.#lastNews < QUIET_AFTER_MICROS) return undefined;
    this.#quiet = true;
    return QUIET_TICK_MS;
  }
}
