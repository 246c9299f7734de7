// The adapter on the deadlock scenarios (S1 worker threads, S12 async tasks, S2 self-deadlock):
// it stops with reason `deadlock` naming the cycle, lists the threads, puts each one's top frame
// at its blocking acquire in the .ts fixture, shows what each holds and waits for, and ends the
// blocked program on terminate, disconnect, or when the adapter itself is killed.
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { describe, test } from "node:test";
import type { DebugClient } from "@vscode/debugadapter-testsupport";
import type { DebugProtocol } from "@vscode/debugprotocol";
import {
  EVENT_TIMEOUT_MS,
  useClient,
  fixture,
  launch,
  lineOf,
  scopeVariables,
  threadsByName,
  topFrame,
  waitForOutput,
  waitUntilGone,
} from "./helpers.ts";
import type { TraceResponseBody } from "../../src/adapter/customProtocol.ts";

const TEST_TIMEOUT = { timeout: 240_000 };

interface CycleMember {
  readonly thread: string;
  readonly holds: string;
  readonly waitsFor: string;
}

/** "worker-4 holds lockA and waits for lockB; ..." → the members of the cycle. */
function cycleOf(description: string): CycleMember[] {
  return [...description.matchAll(/([\w-]+) holds (\w+) and waits for (\w+)/g)].map((m) => ({
    thread: m[1] ?? "",
    holds: m[2] ?? "",
    waitsFor: m[3] ?? "",
  }));
}

/**
 * Launches `program` and returns the deadlock stop (the first `stopped`, which stops every
 * thread), the other threads' stops by thread id (each only sets its thread's reason), and the
 * debuggee's pid.
 */
async function stopOnDeadlock(
  client: DebugClient,
  program: string,
  more: Record<string, unknown> = {},
): Promise<{
  stop: DebugProtocol.StoppedEvent;
  stops: Map<number, DebugProtocol.StoppedEvent>;
  findings: FindingEvent[];
  pid: number;
}> {
  const stops = new Map<number, DebugProtocol.StoppedEvent>();
  client.on("stopped", (e: DebugProtocol.StoppedEvent) => stops.set(e.body.threadId ?? 0, e));
  // Every finding event, in order (the blocking finding is sent before the stop).
  const findings: FindingEvent[] = [];
  client.on("threadlens/finding", (e: DebugProtocol.Event) =>
    findings.push(e.body as FindingEvent),
  );
  const stopped = client.waitForEvent("stopped", EVENT_TIMEOUT_MS);
  const { pid } = await launch(client, { program, ...more });
  const stop = (await stopped) as DebugProtocol.StoppedEvent;
  assert.equal(stop.body.reason, "deadlock");
  assert.equal(stop.body.allThreadsStopped, true);
  assert.ok(pid !== undefined, "the process event gives the pid");
  // The per-thread stops are sent with the first, before the answer to a later request.
  const threads = await client.threadsRequest();
  for (const t of threads.body.threads) assert.ok(stops.has(t.id), `a stop for ${t.name}`);
  for (const [id, e] of stops) {
    if (id !== stop.body.threadId) assert.equal(e.body.allThreadsStopped, false);
  }
  return { stop, stops, findings, pid };
}

interface FindingEvent {
  readonly findings: { readonly kind: string; readonly message: string }[];
  readonly blocked: boolean;
}

/** The blocking finding's message, from the adapter's finding events. */
function findingMessage(events: readonly FindingEvent[]): string {
  const blocking = events.find((e) => e.blocked);
  return blocking?.findings[0]?.message ?? "";
}

/** Each cycle member's own stop reads "deadlocked on <what it waits for>"; no other does. */
async function checkStopReasons(
  client: DebugClient,
  stops: ReadonlyMap<number, DebugProtocol.StoppedEvent>,
  members: readonly CycleMember[],
): Promise<void> {
  const threads = await threadsByName(client);
  for (const [name, id] of threads) {
    const member = members.find((m) => m.thread === name);
    const e = stops.get(id);
    if (member !== undefined) {
      assert.equal(e?.body.reason, "deadlock", name);
      assert.equal(e?.body.description, `deadlocked on ${member.waitsFor}`, name);
    } else assert.doesNotMatch(e?.body.description ?? "", /deadlocked/, name);
  }
}

/** Every cycle member is listed, blocked at `waitLine(member)`, holding and waiting as said. */
async function checkCycle(
  client: DebugClient,
  file: string,
  members: readonly CycleMember[],
  waitLine: (member: CycleMember) => number,
): Promise<void> {
  const threads = await threadsByName(client);
  for (const member of members) {
    const id = threads.get(member.thread);
    assert.ok(id !== undefined, `${member.thread} is listed in ${[...threads.keys()]}`);
    const frame = await topFrame(client, id);
    assert.equal(frame.source?.path, fixture(file), `${member.thread}'s top frame file`);
    assert.equal(frame.line, waitLine(member), `${member.thread}'s top frame line`);
    const variables = await scopeVariables(client, frame.id);
    const holding = variables.get("Holding") ?? [];
    const waiting = variables.get("Waiting for") ?? [];
    assert.deepEqual(
      holding.map((v) => v.name),
      [member.holds],
    );
    assert.match(holding[0]?.value ?? "", new RegExp(`acquired at test/fixtures/${file}:\\d+`));
    assert.deepEqual(
      waiting.map((v) => v.name),
      [member.waitsFor],
    );
    const owner = members.find((m) => m.holds === member.waitsFor)?.thread ?? "?";
    assert.match(waiting[0]?.value ?? "", new RegExp(`held by ${owner}`));
    const details = await client.variablesRequest({
      variablesReference: waiting[0]?.variablesReference ?? 0,
    });
    assert.ok(details.body.variables.some((v) => v.name === "owner" && v.value === owner));
  }
}

describe("S1: two of five worker threads deadlock on lockA/lockB", () => {
  const client = useClient();

  test(
    "stops with reason deadlock at each thread's acquire; terminate leaves no process",
    TEST_TIMEOUT,
    async () => {
      const warning = waitForOutput(client, /has waited \d+ ms for lock[AB], held by worker-\d/);
      const { stop, stops, findings, pid } = await stopOnDeadlock(
        client,
        "test/fixtures/analysis/s1-lockab.ts",
        { lockTimeoutWarningMs: 100 },
      );
      const description = findingMessage(findings);
      assert.match(description, /cycle lockA → lockB → lockA/);
      assert.match(stop.body.text ?? "", /ERROR: threadlens: deadlock/);
      const members = cycleOf(description);
      assert.equal(members.length, 2, description);
      for (const m of members) assert.match(m.thread, /^worker-[1-5]$/);
      await checkStopReasons(client, stops, members);
      const file = "analysis/s1-lockab.ts";
      await checkCycle(client, file, members, (m) =>
        m.waitsFor === "lockB"
          ? lineOf(file, "lockB.acquireSync();", 1)
          : lineOf(file, "lockA.acquireSync();", 2),
      );
      const finding = findings.find((e) => e.blocked);
      assert.equal(finding?.findings[0]?.kind, "deadlock");
      assert.match(await warning, /at test\/fixtures\/analysis\/s1-lockab\.ts:\d+:\d+/);
      const trace = (await client.customRequest("threadlens/trace")).body as TraceResponseBody;
      const names = trace.meta.flatMap((m) => (m.type === "thread" ? [m.name] : []));
      for (const i of [1, 2, 3, 4, 5]) assert.ok(names.includes(`worker-${i}`), `${names}`);
      assert.ok(trace.events.some((e) => e.kind === "acquire-request"));
      const info = await client.exceptionInfoRequest({ threadId: stop.body.threadId ?? 1 });
      assert.equal(info.body.exceptionId, "deadlock");
      assert.match(info.body.details?.message ?? "", /threads at the stop:/);
      // The blocked program is still there for inspection, until terminate.
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(await waitUntilGone(pid, 0), false, "the adapter keeps the program");
      const terminated = client.waitForEvent("terminated", EVENT_TIMEOUT_MS);
      await client.terminateRequest();
      await terminated;
      assert.ok(await waitUntilGone(pid), `program ${pid} is gone after terminate`);
    },
  );
});

describe("S12: two async tasks deadlock on the main thread", () => {
  const client = useClient();

  test(
    "stops with reason deadlock; first and second at their acquires; disconnect ends it",
    TEST_TIMEOUT,
    async () => {
      const { stops, findings, pid } = await stopOnDeadlock(
        client,
        "test/fixtures/analysis/s12-tasks.ts",
      );
      const members = cycleOf(findingMessage(findings));
      assert.deepEqual(members.map((m) => m.thread).sort(), ["first", "second"]);
      await checkStopReasons(client, stops, members);
      const file = "analysis/s12-tasks.ts";
      await checkCycle(client, file, members, (m) =>
        m.thread === "first"
          ? lineOf(file, "await lockB.acquire();", 1)
          : lineOf(file, "await lockA.acquire();", 2),
      );
      const threads = await threadsByName(client);
      assert.ok(threads.has("main"), "the main thread is listed too");
      await client.disconnectRequest();
      assert.ok(await waitUntilGone(pid), `program ${pid} is gone after disconnect`);
    },
  );
});

describe("S2: self-deadlock on a plain Lock", () => {
  let adapterKilled = false;
  // A killed adapter answers nothing: no disconnect then.
  const client = useClient(() => !adapterKilled);

  test(
    "stops at the second acquire; a killed adapter takes the program with it",
    TEST_TIMEOUT,
    async () => {
      const { stop, findings, pid } = await stopOnDeadlock(
        client,
        "test/fixtures/analysis/s2-lock.ts",
      );
      assert.match(findingMessage(findings), /self-deadlock: main acquires guard again/);
      assert.equal(stop.body.description, "deadlocked on guard");
      const threads = await threadsByName(client);
      const main = threads.get("main");
      assert.ok(main !== undefined);
      const frame = await topFrame(client, main);
      assert.equal(frame.line, lineOf("analysis/s2-lock.ts", "guard.acquireSync();", 2));
      const variables = await scopeVariables(client, frame.id);
      assert.deepEqual(
        variables.get("Holding")?.map((v) => v.name),
        ["guard"],
      );
      assert.deepEqual(
        variables.get("Waiting for")?.map((v) => v.name),
        ["guard"],
      );
      // The adapter dies without a word (SIGKILL): the recorder sees its command pipe close.
      const adapter = (client as unknown as { _adapterProcess: ChildProcess | null })
        ._adapterProcess;
      adapterKilled = true;
      adapter?.kill("SIGKILL");
      assert.ok(await waitUntilGone(pid), `program ${pid} is gone with its adapter`);
    },
  );
});

describe("stopOnDeadlock: false", () => {
  const client = useClient();

  test(
    "S2 is reported, not stopped on, and ended with exit code 2 as under `run`",
    TEST_TIMEOUT,
    async () => {
      let stops = 0;
      client.on("stopped", () => stops++);
      const report = waitForOutput(client, /ERROR: threadlens: self-deadlock/);
      const exited = client.waitForEvent("exited", EVENT_TIMEOUT_MS);
      const terminated = client.waitForEvent("terminated", EVENT_TIMEOUT_MS);
      const { pid } = await launch(client, {
        program: "test/fixtures/analysis/s2-lock.ts",
        stopOnDeadlock: false,
      });
      await report;
      assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 2);
      await terminated;
      assert.equal(stops, 0);
      assert.ok(pid !== undefined && (await waitUntilGone(pid)));
    },
  );
});
