// Launch configurations that cannot work get an error response with a message that says what
// to fix: at once (no hang), and with no program process left behind.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { root, useClient } from "./helpers.ts";

const TEST_TIMEOUT = { timeout: 120_000 };
const PROGRAM = "test/fixtures/analysis/exit5.ts";

const dir = mkdtempSync(path.join(tmpdir(), "threadlens-adapter-"));
const syntaxError = path.join(dir, "broken.ts");
writeFileSync(syntaxError, "const x: number = ;\nconsole.log(x);\n");

const cases: readonly { name: string; args: Record<string, unknown>; message: RegExp }[] = [
  { name: "missing program", args: {}, message: /has no "program"/ },
  {
    name: "a program that does not exist",
    args: { program: "test/fixtures/nope.ts" },
    message: /cannot find program test\/fixtures\/nope\.ts/,
  },
  {
    name: "a TypeScript syntax error",
    args: { program: syntaxError },
    message: /TypeScript syntax error: .*broken\.ts:1:\d+/,
  },
  {
    name: "args not an array of strings",
    args: { program: PROGRAM, args: "--fast" },
    message: /"args" must be an array of strings \(it is the string "--fast"\)/,
  },
  {
    name: "args with a number",
    args: { program: PROGRAM, args: ["a", 1] },
    message: /"args" must be an array of strings/,
  },
  {
    name: "stopOnDeadlock not a boolean",
    args: { program: PROGRAM, stopOnDeadlock: "yes" },
    message: /"stopOnDeadlock" must be true or false/,
  },
  {
    name: "env not an object of strings",
    args: { program: PROGRAM, env: { DEBUG: 1 } },
    message: /"env.DEBUG" must be a string or null/,
  },
  {
    name: "lockTimeoutWarningMs not a positive number",
    args: { program: PROGRAM, lockTimeoutWarningMs: -5 },
    message: /"lockTimeoutWarningMs" must be a positive number/,
  },
  {
    name: "a cwd that does not exist",
    args: { program: PROGRAM, cwd: path.join(dir, "missing") },
    message: /"cwd" is not a directory/,
  },
  {
    name: "a runtimeExecutable that does not exist",
    args: { program: PROGRAM, runtimeExecutable: path.join(dir, "no-node") },
    message: /cannot start .*no-node/,
  },
];

after(() => rmSync(dir, { recursive: true, force: true }));

for (const c of cases) {
  describe(`bad launch: ${c.name}`, () => {
    const client = useClient();

    test("error response with an actionable message, no process", TEST_TIMEOUT, async () => {
      let processStarted = false;
      client.on("process", () => (processStarted = true));
      const started = Date.now();
      await client.initializeRequest();
      // The rejection carries the error response's message.
      const args = { cwd: root, ...c.args } as DebugProtocol.LaunchRequestArguments;
      const error = await client.launchRequest(args).then(
        () => assert.fail("launch succeeded"),
        (e: unknown) => e as Error,
      );
      assert.match(error.message, c.message);
      assert.match(error.message, /^threadlens: /);
      assert.ok(Date.now() - started < 10_000, "answered at once");
      assert.equal(processStarted, false, "no program process");
    });
  });
}
