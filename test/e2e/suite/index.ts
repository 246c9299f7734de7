// Extension tests run inside code-server's real extension host (the harness passes this module
// as extensionTestsPath). The host exits 0 even when run() throws, so the results go to the file
// named by THREADLENS_E2E_RESULT (a sibling of this bundle) and the harness checks them.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import * as vscode from "vscode";
import { DIAGNOSTIC_CODES } from "../../../src/extension/ids.ts";
import { DebugRecorder, runUntil, waitFor } from "./debugRecorder.ts";

interface TestResult {
  readonly name: string;
  readonly ok: boolean;
  readonly error?: string;
}

const RESULT_FILE = path.join(__dirname, "ext-tests-result.json");
// Generous: a bound for a broken extension, not a performance check (a loaded CI machine may
// take tens of seconds to start code-server's debug session and the program's workers).
const TIMEOUT_MS = 90_000;

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, "no workspace folder");
  return vscode.Uri.joinPath(folder.uri, name);
}

function threadlensDiagnostics(uri: vscode.Uri, code: string): vscode.Diagnostic[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === "threadlens" && d.code === code)
    .sort((a, b) => a.range.start.line - b.range.start.line);
}

/**
 * The Quick Fixes at `range`. The workbench cancels a code-action request when the file's
 * diagnostics change under it (the static analysis publishes on open, then again when the
 * editor's document settles), so a cancelled request is asked again.
 */
async function codeActions(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (
        (await vscode.commands.executeCommand<vscode.CodeAction[]>(
          "vscode.executeCodeActionProvider",
          uri,
          range,
          vscode.CodeActionKind.QuickFix.value,
        )) ?? []
      );
    } catch (error) {
      if (attempt >= 5 || !(error instanceof Error) || error.name !== "Canceled") throw error;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
}

async function applyFix(uri: vscode.Uri, diagnostic: vscode.Diagnostic, title: string) {
  const actions = await codeActions(uri, diagnostic.range);
  const action = actions.find((a) => a.title.startsWith(title));
  assert.ok(action?.edit, `no "${title}" fix among: ${actions.map((a) => a.title).join(" | ")}`);
  assert.ok(await vscode.workspace.applyEdit(action.edit), "edit not applied");
  const document = await vscode.workspace.openTextDocument(uri);
  assert.ok(await document.save(), "not saved");
  return document;
}

/**
 * S1's four acquisition lines, 1-based — doA: lockA (10) then lockB (12); doB: lockB (18) then
 * lockA (20) — each a diagnostic of `severity` whose related information is the other three.
 */
function assertS1Sites(diagnostics: vscode.Diagnostic[], severity: vscode.DiagnosticSeverity) {
  const lines = [10, 12, 18, 20];
  assert.deepEqual(
    diagnostics.map((d) => d.range.start.line + 1),
    lines,
  );
  for (const d of diagnostics) {
    const line = d.range.start.line + 1;
    assert.equal(d.severity, severity, `severity at line ${line}`);
    const related = (d.relatedInformation ?? []).map((r) => r.location.range.start.line + 1);
    assert.deepEqual(
      [...related].sort((a, b) => a - b),
      lines.filter((l) => l !== line),
      `related of line ${line}`,
    );
  }
}

/** Issue 6: the static analyzer warns on opening the file, before anything has run. */
async function s1StaticWarning(): Promise<void> {
  const uri = workspaceFile("s1-lockab.ts");
  await vscode.window.showTextDocument(uri);
  const code = DIAGNOSTIC_CODES["potential-deadlock"];
  const diagnostics = await waitFor(() => {
    const found = threadlensDiagnostics(uri, code);
    return found.length >= 4 ? found : undefined;
  }, "static potential-deadlock warnings");
  assert.equal(vscode.debug.activeDebugSession, undefined, "a session ran before the check");
  assertS1Sites(diagnostics, vscode.DiagnosticSeverity.Warning);
  for (const d of diagnostics) assert.match(d.message, /static analysis/);
  const at20 = diagnostics[3];
  assert.ok(at20);
  const actions = await codeActions(uri, at20.range);
  const fix = actions.find((a) => a.title.startsWith("Acquire in the global order lockA → lockB"));
  assert.ok(fix?.edit, `no global-order fix among: ${actions.map((a) => a.title).join(" | ")}`);
}

async function s1GlobalOrder(recorder: DebugRecorder): Promise<void> {
  const uri = workspaceFile("s1-lockab.ts");
  await vscode.window.showTextDocument(uri);
  const run = await recorder.start(uri);
  const stop = await run.stopped;
  assert.equal(stop.reason, "deadlock");
  const code = DIAGNOSTIC_CODES.deadlock;
  const diagnostics = await waitFor(() => {
    const found = threadlensDiagnostics(uri, code);
    return found.length >= 4 ? found : undefined;
  }, "deadlock diagnostics");
  assertS1Sites(diagnostics, vscode.DiagnosticSeverity.Error);
  assert.match(
    diagnostics[1]?.message ?? "",
    /^worker-\d waits here for lockB, held by worker-\d$/,
  );
  // The static warnings of the same four lines are hidden while the run's errors are shown.
  assert.deepEqual(threadlensDiagnostics(uri, DIAGNOSTIC_CODES["potential-deadlock"]), []);
  const at20 = diagnostics[3];
  assert.ok(at20);
  await vscode.debug.stopDebugging(run.session);
  await run.terminated;
  const document = await applyFix(uri, at20, "Acquire in the global order lockA → lockB");
  assert.equal(document.lineAt(17).text.trim(), "lockA.acquireSync();");
  assert.equal(document.lineAt(19).text.trim(), "lockB.acquireSync();");
  assert.equal(
    threadlensDiagnostics(uri, code).length,
    0,
    "the edit clears the run's diagnostics of the file",
  );

  const rerun = await recorder.start(uri);
  await runUntil(rerun.terminated, rerun.stopped);
  assert.match(rerun.output(), /no deadlock this time/);
  assert.equal(threadlensDiagnostics(uri, code).length, 0);
  assert.equal(threadlensDiagnostics(uri, DIAGNOSTIC_CODES["potential-deadlock"]).length, 0);
}

async function s2UseRLock(recorder: DebugRecorder): Promise<void> {
  const uri = workspaceFile("s2-lock.ts");
  await vscode.window.showTextDocument(uri);
  const run = await recorder.start(uri);
  const stop = await run.stopped;
  assert.equal(stop.reason, "deadlock");
  const code = DIAGNOSTIC_CODES["self-deadlock"];
  const diagnostics = await waitFor(() => {
    const found = threadlensDiagnostics(uri, code).filter(
      (d) => d.severity === vscode.DiagnosticSeverity.Error,
    );
    return found.length >= 2 ? found : undefined;
  }, "self-deadlock diagnostics");
  assert.deepEqual(
    diagnostics.map((d) => d.range.start.line + 1),
    [5, 6],
  );
  await vscode.debug.stopDebugging(run.session);
  await run.terminated;
  const waits = diagnostics[1];
  assert.ok(waits);
  const document = await applyFix(uri, waits, "Use RLock");
  assert.match(document.getText(), /import \{ RLock \} from "threadlens";/);
  assert.match(document.getText(), /const guard = new RLock\(\);/);

  const rerun = await recorder.start(uri);
  await runUntil(rerun.terminated, rerun.stopped);
  assert.match(rerun.output(), /never printed/);
}

/**
 * Issue 16: S11's potential deadlock (timed apart, a plain run never collides), confirmed by
 * the code action: the static warnings become errors naming the schedule, which then offer the
 * replay under the debugger instead of the confirmation.
 */
async function s11ConfirmByRerunning(): Promise<void> {
  const uri = workspaceFile("s11-timed.ts");
  await vscode.window.showTextDocument(uri);
  const code = DIAGNOSTIC_CODES["potential-deadlock"];
  const warnings = await waitFor(() => {
    const found = threadlensDiagnostics(uri, code);
    return found.length >= 4 ? found : undefined;
  }, "S11 static potential-deadlock warnings");
  assert.deepEqual(
    warnings.map((d) => [d.range.start.line + 1, d.severity]),
    [45, 46, 50, 51].map((line) => [line, vscode.DiagnosticSeverity.Warning]),
  );
  const at51 = warnings[3];
  assert.ok(at51);
  const actions = await codeActions(uri, at51.range);
  const confirm = actions.find((a) => a.title === "Confirm by rerunning");
  assert.ok(
    confirm?.command,
    `no confirm action among: ${actions.map((a) => a.title).join(" | ")}`,
  );
  assert.equal(
    actions.find((a) => a.title === "Replay under the debugger"),
    undefined,
  );
  const outcome = await vscode.commands.executeCommand<{ type: string; schedule?: string }>(
    confirm.command.command,
    ...(confirm.command.arguments ?? []),
  );
  assert.equal(outcome?.type, "confirmed", JSON.stringify(outcome));
  assert.match(outcome.schedule ?? "", /^tl1\.[A-Za-z0-9_-]+$/);
  const errors = await waitFor(() => {
    const found = threadlensDiagnostics(uri, code).filter(
      (d) => d.severity === vscode.DiagnosticSeverity.Error,
    );
    return found.length >= 4 ? found : undefined;
  }, "S11 confirmed deadlock errors");
  assert.deepEqual(
    errors.map((d) => d.range.start.line + 1),
    [45, 46, 50, 51],
  );
  for (const d of errors) {
    assert.match(d.message, /^Confirmed deadlock lockA ↔ lockB: (first|second) /);
    assert.ok(d.message.endsWith(`replay it with schedule ${outcome.schedule ?? ""}`), d.message);
  }
  // The static warnings of the same lines are hidden under the run's errors.
  assert.deepEqual(
    threadlensDiagnostics(uri, code).filter((d) => d.severity !== vscode.DiagnosticSeverity.Error),
    [],
  );
  const after = await codeActions(uri, errors[3]?.range ?? at51.range);
  const titles = after.map((a) => a.title);
  assert.ok(titles.includes("Replay under the debugger"), titles.join(" | "));
  assert.ok(!titles.includes("Confirm by rerunning"), titles.join(" | "));
  const replay = after.find((a) => a.title === "Replay under the debugger");
  assert.deepEqual(replay?.command?.arguments, [{ file: uri.fsPath, schedule: outcome.schedule }]);
}

export async function run(): Promise<void> {
  const results: TestResult[] = [];
  const test = async (name: string, body: () => Promise<void>) => {
    try {
      await body();
      results.push({ name, ok: true });
    } catch (error) {
      results.push({
        name,
        ok: false,
        error: String(error instanceof Error ? error.stack : error),
      });
    }
  };
  const recorder = new DebugRecorder(TIMEOUT_MS);
  await test("extension activates with its commands", async () => {
    const extension = vscode.extensions.getExtension("threadlens.threadlens");
    assert.ok(extension, "threadlens.threadlens not installed");
    await extension.activate();
    const commands = await vscode.commands.getCommands(true);
    for (const c of [
      "threadlens.openTrace",
      "threadlens.exportPerfetto",
      "threadlens.runCurrentFile",
    ]) {
      assert.ok(commands.includes(c), `${c} missing`);
    }
  });
  await test("S1: static warnings on opening, before any run", s1StaticWarning);
  await test("S1: deadlock stop, diagnostics, global-order fix, clean rerun", () =>
    s1GlobalOrder(recorder));
  await test("S2: self-deadlock stop, Use RLock fix, clean rerun", () => s2UseRLock(recorder));
  await test("S11: Confirm by rerunning turns the warnings into errors with the schedule", () =>
    s11ConfirmByRerunning());
  recorder.dispose();
  writeFileSync(
    RESULT_FILE,
    JSON.stringify(
      { vscodeVersion: vscode.version, appName: vscode.env.appName, results },
      null,
      2,
    ),
  );
  if (results.some((r) => !r.ok)) throw new Error("some threadlens e2e tests failed");
}
