// Starts threadlens sessions from the tests and watches them through a DebugAdapterTracker:
// the stop (reason, description), the program's output and the session's end, each a promise
// bounded by a timeout so a broken extension fails a test instead of hanging the host.
import * as vscode from "vscode";

export interface Stop {
  readonly reason: string;
  readonly description: string;
}

export interface SessionRun {
  readonly session: vscode.DebugSession;
  readonly stopped: Promise<Stop>;
  readonly terminated: Promise<void>;
  output(): string;
}

/** What a session did; events can come before the test holds the session, so they are kept. */
interface Watch {
  stopSeen?: Stop;
  ended?: boolean;
  stop?: (stop: Stop) => void;
  end?: () => void;
  output: string;
}

export class DebugRecorder implements vscode.Disposable {
  readonly #watches = new Map<string, Watch>();
  readonly #pending: ((session: vscode.DebugSession) => void)[] = [];
  readonly #subscriptions: vscode.Disposable[];

  constructor(private readonly timeoutMs: number) {
    const watches = this.#watches;
    this.#subscriptions = [
      vscode.debug.registerDebugAdapterTrackerFactory("threadlens", {
        createDebugAdapterTracker(session) {
          const watch: Watch = watches.get(session.id) ?? { output: "" };
          watches.set(session.id, watch);
          return {
            onDidSendMessage(message: {
              type?: string;
              event?: string;
              body?: Record<string, unknown>;
            }) {
              if (message.type !== "event") return;
              const body = message.body ?? {};
              if (message.event === "stopped") {
                watch.stopSeen = {
                  reason: String(body["reason"]),
                  description: String(body["description"] ?? ""),
                };
                watch.stop?.(watch.stopSeen);
              } else if (message.event === "output") {
                watch.output += String(body["output"] ?? "");
              }
            },
          };
        },
      }),
      vscode.debug.onDidStartDebugSession((s) => this.#pending.shift()?.(s)),
      vscode.debug.onDidTerminateDebugSession((s) => {
        const watch = this.#watches.get(s.id);
        if (watch === undefined) return;
        watch.ended = true;
        watch.end?.();
      }),
    ];
  }

  async start(program: vscode.Uri): Promise<SessionRun> {
    const folder = vscode.workspace.getWorkspaceFolder(program);
    const started = new Promise<vscode.DebugSession>((resolve) => this.#pending.push(resolve));
    const ok = await vscode.debug.startDebugging(folder, {
      type: "threadlens",
      request: "launch",
      name: `e2e ${program.path.split("/").pop() ?? ""}`,
      program: program.fsPath,
      cwd: folder?.uri.fsPath,
    });
    if (!ok) throw new Error("startDebugging returned false");
    const session = await bounded(started, this.timeoutMs, "session start");
    const watch = this.#watches.get(session.id) ?? { output: "" };
    this.#watches.set(session.id, watch);
    const stopped = bounded(
      new Promise<Stop>((r) => (watch.stopSeen ? r(watch.stopSeen) : (watch.stop = r))),
      this.timeoutMs,
      "stop",
    );
    const terminated = bounded(
      new Promise<void>((r) => (watch.ended === true ? r() : (watch.end = r))),
      this.timeoutMs,
      "end",
    );
    // Not every test awaits both; an unobserved timeout must not become an unhandled rejection.
    stopped.catch(() => undefined);
    terminated.catch(() => undefined);
    return { session, stopped, terminated, output: () => watch.output };
  }

  dispose(): void {
    for (const s of this.#subscriptions) s.dispose();
  }
}

function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)),
      ms,
    );
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

/** Resolves when `end` does; rejects if `stop` comes first (the program must run to its end). */
export async function runUntil(end: Promise<void>, stop: Promise<Stop>): Promise<void> {
  const stopFirst = stop.then((s) => {
    throw new Error(`unexpected stop: ${s.reason} ${s.description}`);
  });
  stopFirst.catch(() => undefined);
  await Promise.race([end, stopFirst]);
}

/** Polls `probe` until it returns a value (diagnostics arrive asynchronously). */
export async function waitFor<T>(
  probe: () => T | undefined,
  what: string,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
