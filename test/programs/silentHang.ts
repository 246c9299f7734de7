// The exact hang of threads or processes that each wait for another's first message with
// nothing blocked (hang.ts, silentWaits): which kind of waiter, who, where each listens,
// and the fix, checked the same for processes (processMessages.test.ts) and for main and a
// plain Worker (threadMessages.test.ts).
import assert from "node:assert/strict";
import type { Report } from "../../src/protocol/report.ts";

export interface Listener {
  /** The thread's name in the report. */
  readonly thread: string;
  /** Its file, relative to test/fixtures, and the line where it listens. */
  readonly file: string;
  readonly line: number;
}

export function assertSilentHang(
  report: Report,
  waiters: "process" | "thread",
  listeners: readonly Listener[],
): void {
  const [finding, ...others] = report.findings;
  assert.deepEqual(others, []);
  assert.equal(finding?.kind, "hang");
  assert.deepEqual(
    finding.threads,
    listeners.map((l) => l.thread),
  );
  const at = (l: Listener): string => `test/fixtures/${l.file}:${l.line}`;
  assert.deepEqual(
    finding.sites.map((s) => `${s.thread} ${s.role} ${s.file}:${s.line}`),
    listeners.map((l) => `${l.thread} waits ${at(l)}`),
  );
  assert.equal(
    finding.message,
    `hang: every ${waiters} waits for a message and none is running to send one: ` +
      listeners
        .map(
          (l) =>
            `${l.thread} is idle and can only be woken by a message (it listens at ${at(l)}), ` +
            "which no running thread can send",
        )
        .join("; "),
  );
  assert.deepEqual(
    finding.suggestions.map((s) => [s.kind, s.edit]),
    [["add-timeout", undefined]],
  );
  const first = listeners[0];
  assert.ok(first !== undefined);
  assert.ok(
    finding.suggestions[0]?.message.startsWith(
      `let one side speak first (for example, send before the wait in ${at(first)}): `,
    ),
    finding.suggestions[0]?.message,
  );
}
