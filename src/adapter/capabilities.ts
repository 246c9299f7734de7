// What the adapter tells the client it supports (the `initialize` response), one line each on
// why. Anything not listed is unsupported (DAP's default).
import type { DebugProtocol } from "@vscode/debugprotocol";

export const ADAPTER_CAPABILITIES: DebugProtocol.Capabilities = {
  // launch waits for configurationDone: the client's setup comes before the program runs.
  supportsConfigurationDoneRequest: true,
  // terminate ends the program gracefully (SIGTERM, SIGKILL after a grace period).
  supportsTerminateRequest: true,
  // exceptionInfo returns the full report of the deadlock the program stopped on.
  supportsExceptionInfoRequest: true,
  // Stacks are short (the captured call site, at most 8 frames): sent whole.
  supportsDelayedStackTraceLoading: false,
  // pause and continue act on all threads at once (a deadlock involves several).
  supportsSingleThreadExecutionRequests: false,
  // No stepping: threads stop at synchronization points, not at lines.
  supportsStepBack: false,
  // The variables are synchronization state (held locks, awaited objects): read-only.
  supportsSetVariable: false,
  // No expression evaluation: the program's own values are not inspected.
  supportsEvaluateForHovers: false,
  // A restart is a new launch (the client's own restart does that).
  supportsRestartRequest: false,
  // disconnect always ends the program: there is no attach to leave it running for.
  supportTerminateDebuggee: false,
};
