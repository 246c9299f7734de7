// Shared helpers of the adapter tests: a DebugClient on `node dist/adapter.js` (the standalone
// adapter, DAP on stdio), launch sequences, and what the tests read from a stop.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";
import { DebugClient } from "@vscode/debugadapter-testsupport";
import type { DebugProtocol } from "@vscode/debugprotocol";

export const root = fileURLToPath(new URL("../..", import.meta.url));

/** Every wait of a test is bounded: a broken adapter fails the test, it does not hang it. */
export const EVENT_TIMEOUT_MS = 60_000;

export function createClient(): DebugClient {
  const env = { ...process.env };
  // The test runner's own settings must not reach the adapter or the program.
  delete env["NODE_TEST_CONTEXT"];
  delete env["NODE_OPTIONS"];
  const client = new DebugClient("node", path.join(root, "dist/adapter.js"), "threadlens", {
    cwd: root,
    env,
  });
  client.defaultTimeout = EVENT_TIMEOUT_MS;
  return client;
}

/** Starting or stopping a DebugClient (hooks of the enclosing describe()). */
const HOOK_TIMEOUT = { timeout: 60_000 };

/**
 * The DebugClient of the enclosing describe(): its adapter starts before the describe's tests
 * and is stopped after them, unless `stopAfter()` says no (an adapter a test killed answers
 * nothing). Constructing the client spawns nothing; start() does.
 */
export function useClient(stopAfter: () => boolean = () => true): DebugClient {
  const client = createClient();
  before(() => client.start());
  after(() => (stopAfter() ? client.stop() : undefined), HOOK_TIMEOUT);
  return client;
}

export function fixture(relative: string): string {
  return path.join(root, "test/fixtures", relative);
}

/** 1-based line of the `n`th line of the fixture containing `text`. */
export function lineOf(relative: string, text: string, n = 1): number {
  const lines = readFileSync(fixture(relative), "utf8").split("\n");
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.includes(text) && ++seen === n) return i + 1;
  }
  throw new Error(`${text} not found in ${relative}`);
}

/**
 * initialize, launch and configurationDone as a client does them; resolves with the launch
 * response and the debuggee's pid (from the `process` event).
 */
export async function launch(
  client: DebugClient,
  args: Record<string, unknown>,
): Promise<{ response: DebugProtocol.LaunchResponse; pid: number | undefined }> {
  const processEvent = client.waitForEvent("process", EVENT_TIMEOUT_MS);
  const [, response] = await Promise.all([
    client.configurationSequence(),
    client.launch({ cwd: root, ...args }),
  ]);
  const event = (await processEvent) as DebugProtocol.ProcessEvent;
  return { response, pid: event.body.systemProcessId };
}

/** The first frame of a thread's stack. */
export async function topFrame(
  client: DebugClient,
  threadId: number,
): Promise<DebugProtocol.StackFrame> {
  const trace = await client.stackTraceRequest({ threadId });
  const frame = trace.body.stackFrames[0];
  assert.ok(frame, `thread ${threadId} has a frame`);
  return frame;
}

/** The variables of each scope of a frame, by scope name. */
export async function scopeVariables(
  client: DebugClient,
  frameId: number,
): Promise<Map<string, DebugProtocol.Variable[]>> {
  const scopes = await client.scopesRequest({ frameId });
  const out = new Map<string, DebugProtocol.Variable[]>();
  for (const scope of scopes.body.scopes) {
    const vars = await client.variablesRequest({ variablesReference: scope.variablesReference });
    out.set(scope.name, vars.body.variables);
  }
  return out;
}

export async function threadsByName(client: DebugClient): Promise<Map<string, number>> {
  const threads = await client.threadsRequest();
  return new Map(threads.body.threads.map((t) => [t.name, t.id] as const));
}

/**
 * True once no process has this pid (signal 0 only checks that it exists). A zombie (dead, not
 * yet reaped: a container's init may never reap) counts as gone.
 */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}

/** Waits (bounded) until the pid is gone; returns whether it went. */
export async function waitUntilGone(pid: number, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (processGone(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return processGone(pid);
}

/** Resolves with the first output event whose text matches, or rejects after `timeoutMs`. */
export function waitForOutput(
  client: DebugClient,
  pattern: RegExp,
  timeoutMs = EVENT_TIMEOUT_MS,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off("output", listener);
      reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (event: DebugProtocol.OutputEvent): void => {
      if (!pattern.test(event.body.output)) return;
      clearTimeout(timer);
      client.off("output", listener);
      resolve(event.body.output);
    };
    client.on("output", listener);
  });
}

/** Collects the output events' text by category. */
export function collectOutput(client: DebugClient): Map<string, string> {
  const output = new Map<string, string>();
  client.on("output", (event: DebugProtocol.OutputEvent) => {
    const category = event.body.category ?? "console";
    output.set(category, (output.get(category) ?? "") + event.body.output);
  });
  return output;
}
