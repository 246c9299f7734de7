// Every identifier the extension shares with package.json, the webview and the tests: commands,
// views, the debug type, diagnostic codes. One definition each, so a rename is one edit here
// plus the matching one in package.json's `contributes`.
import type { FindingKind } from "../protocol/report.ts";

export const DEBUG_TYPE = "threadlens";
export const DIAGNOSTIC_SOURCE = "threadlens";
export const TRACE_LANGUAGE = "tltrace";

export const VIEW_CONTAINER = "threadlens";
export const VIEW_THREADS = "threadlens.threads";
export const VIEW_LOCKS = "threadlens.locks";
/** The read-only .tltrace editor ("Open With…"; package.json `contributes.customEditors`). */
export const TRACE_EDITOR_VIEW_TYPE = "threadlens.traceViewer";

export const COMMAND_OPEN_TRACE = "threadlens.openTrace";
export const COMMAND_EXPORT_PERFETTO = "threadlens.exportPerfetto";
export const COMMAND_RUN_CURRENT_FILE = "threadlens.runCurrentFile";
/** The Locks view's title button: pick the figure the locks are sorted by. */
export const COMMAND_SORT_LOCKS = "threadlens.sortLocks";
/** Internal: shows a suggestion that has no safe edit (code actions without an edit). */
export const COMMAND_SHOW_SUGGESTION = "threadlens.showSuggestion";
/** Internal: "Confirm by rerunning" a potential deadlock (`threadlens run --confirm`). */
export const COMMAND_CONFIRM_BY_RERUNNING = "threadlens.confirmByRerunning";
/** Internal: "Replay under the debugger": a debug session with a finding's schedule. */
export const COMMAND_REPLAY_SCHEDULE = "threadlens.replaySchedule";
/** Internal: opens a source location (Locks view items, Threads view clicks). */
export const COMMAND_OPEN_SITE = "threadlens.openSite";

/** All contributed (palette) commands (package.json `contributes.commands`). */
export const CONTRIBUTED_COMMANDS = [
  COMMAND_OPEN_TRACE,
  COMMAND_EXPORT_PERFETTO,
  COMMAND_RUN_CURRENT_FILE,
  COMMAND_SORT_LOCKS,
] as const;

/**
 * Diagnostic codes, stable across releases (users filter and suppress by them): one per
 * finding kind, "TL" and a number, never reused.
 */
export const DIAGNOSTIC_CODES: Readonly<Record<FindingKind, string>> = {
  deadlock: "TL001",
  "potential-deadlock": "TL002",
  "self-deadlock": "TL003",
  hang: "TL004",
  "bad-release": "TL005",
  "over-release": "TL006",
  "unjoined-thread": "TL007",
  "lock-held-at-exit": "TL008",
  "pool-misuse": "TL009",
};

export const LOG_CHANNEL_NAME = "threadlens";
