// The exit codes of DESIGN 8. Here, in the vocabulary every side shares, because both the
// supervisors (src/launch re-exports these) and the recorder inside the program (which ends a
// program itself when no supervisor does) exit with them.

/** Nothing found. */
export const EXIT_CLEAN = 0;
/** Findings, but nothing blocked (potential deadlock, misuse). */
export const EXIT_FINDINGS = 1;
/** The program blocked and was stopped (deadlock, self-deadlock, hang, timeout). */
export const EXIT_BLOCKED = 2;
/** Usage or start error, and any failure of threadlens itself (never 1: that means findings). */
export const EXIT_START = 3;
