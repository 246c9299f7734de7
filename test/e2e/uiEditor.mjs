// The UI checks of the editor features that run a program from the editor's own menus: the
// "Confirm by rerunning" Quick Fix on S11 (issue 16) and the live long-hold warnings of a launch
// configuration with lockTimeoutWarningMs (issue 17); ui.mjs runs them after the S1 checks.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/** The text of the first webview frame that has `selector`, or undefined. */
export async function webviewText(page, selector) {
  for (const frame of page.frames()) {
    try {
      if ((await frame.locator(selector).count()) > 0)
        return await frame.locator(selector).innerText();
    } catch {
      // frames come and go while the workbench lays out
    }
  }
  return undefined;
}

/**
 * Puts the cursor at `line`:`column` of the active editor with Go to Line, and waits until the
 * status bar says so (asked again, at most twice, when the first Ctrl+G went to another part).
 */
export async function goToLine(page, line, column) {
  const status = page.locator(".statusbar-item", { hasText: `Ln ${line}, Col ${column}` }).first();
  for (let attempt = 1; ; attempt++) {
    await page.locator(".editor-instance .monaco-editor .view-lines").first().click();
    await page.keyboard.press("Control+G");
    const input = page.locator(".quick-input-widget input");
    await input.waitFor({ timeout: 10_000 });
    await input.fill(`:${line}:${column}`);
    await page.waitForTimeout(300);
    await page.keyboard.press("Enter");
    try {
      await status.waitFor({ timeout: 5_000 });
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

/**
 * Opens the Quick Fix menu at the cursor and waits for `title` in it. Asked again (every 10 s,
 * for up to a minute) while the editor answers "No code actions available": right after the
 * workbench starts, the providers may not have answered yet.
 */
export async function openQuickFix(page, title) {
  const item = page.locator(".action-widget .monaco-list-row", { hasText: title }).first();
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press("Control+.");
    try {
      await item.waitFor({ timeout: 10_000 });
      return;
    } catch (error) {
      if (attempt >= 6) throw error;
      await page.keyboard.press("Escape");
      await page.waitForTimeout(1000);
    }
  }
}

/**
 * Runs the command `label` from the Command Palette: picks its row once the palette lists it
 * (pressing Enter after a pause picked whatever the list showed then, on a busy machine the
 * one before the filter).
 */
export async function runCommand(page, label) {
  await page.keyboard.press("F1");
  await page.locator(".quick-input-widget input").fill(`>${label}`);
  await page
    .locator(".quick-input-widget .monaco-list-row", { hasText: label })
    .first()
    .click({ timeout: 15_000 });
}

/** Opens the workspace file `name` with Quick Open and waits for its editor. */
export async function openFile(page, name) {
  await page.keyboard.press("Control+P");
  await page.locator(".quick-input-widget input").fill(name);
  await page
    .locator(".quick-input-widget .monaco-list-row", { hasText: name })
    .first()
    .click({ timeout: 30_000 });
  await page.locator(".editor-instance .monaco-editor").first().waitFor({ timeout: 30_000 });
}

/**
 * Issue 16 in the UI: S11's static warning at line 51, the Quick Fix menu's "Confirm by
 * rerunning", its progress notification, then the error squiggle whose hover names the
 * schedule and whose Quick Fix menu offers the replay.
 */
export async function confirmS11(page, shot, log) {
  await openFile(page, "s11-timed.ts");
  // Squiggles are drawn for the lines in view only: the cycle's lines first.
  await goToLine(page, 51, 5);
  await page.locator(".editor-instance .squiggly-warning").first().waitFor({ timeout: 30_000 });
  if ((await page.locator(".editor-instance .squiggly-error").count()) > 0)
    throw new Error("S11 has an error before it was confirmed");
  await openQuickFix(page, "Confirm by rerunning");
  await shot(page, "09a-s11-warning-confirm-action");
  // Chosen with the keyboard, as a user does (a click on the menu's row may not land).
  const focused = page.locator(".action-widget .monaco-list-row.focused");
  for (let i = 0; i < 12; i++) {
    const text = await focused.innerText().catch(() => "");
    if (text.includes("Confirm by rerunning")) break;
    await page.keyboard.press("ArrowDown");
  }
  if (!(await focused.innerText()).includes("Confirm by rerunning"))
    throw new Error("the Quick Fix menu never focused Confirm by rerunning");
  await page.keyboard.press("Enter");
  const progress = page.locator(".notifications-toasts", {
    hasText: "confirming the potential deadlock",
  });
  await progress.first().waitFor({ timeout: 20_000 });
  await shot(page, "09b-s11-confirm-progress");
  const confirmed = page.locator(".notifications-toasts", { hasText: "confirmed the deadlock" });
  await confirmed.first().waitFor({ timeout: 180_000 });
  await page.locator(".editor-instance .squiggly-error").first().waitFor({ timeout: 20_000 });
  if ((await page.locator(".editor-instance .squiggly-warning").count()) > 0)
    throw new Error("a warning squiggle is left beside the confirmed errors");
  await shot(page, "09c-s11-confirmed-error");
  await page.locator(".editor-instance .squiggly-error").last().hover({ force: true });
  const hover = page.locator(".monaco-hover", { hasText: "Confirmed deadlock" }).first();
  await hover.waitFor({ timeout: 15_000 });
  const hoverText = (await hover.innerText()).replace(/\s+/g, " ");
  log(`S11 hover: ${hoverText.slice(0, 300)}`);
  if (!/replay it with schedule tl1\.\S+/.test(hoverText))
    throw new Error(`hover without the schedule: ${hoverText}`);
  await shot(page, "09d-s11-confirmed-hover");
  await page.keyboard.press("Escape");
  await goToLine(page, 51, 5);
  await openQuickFix(page, "Replay under the debugger");
  await shot(page, "09e-s11-replay-action");
  await page.keyboard.press("Escape");
}

/**
 * Issue 17's live long holds: a launch configuration with lockTimeoutWarningMs on a fixture that
 * holds its lock for 3 s; the Threads view lists the hold (while it lasts, then dimmed once it
 * ended) and the Debug Console names it with a link to the line that took it.
 */
export async function longHold(page, workspace, activity, shot, log) {
  mkdirSync(path.join(workspace, ".vscode"), { recursive: true });
  const configuration = {
    type: "threadlens",
    request: "launch",
    name: "long hold",
    program: "${workspaceFolder}/long-hold.ts",
    lockTimeoutWarningMs: 300,
  };
  writeFileSync(
    path.join(workspace, ".vscode/launch.json"),
    JSON.stringify({ version: "0.2.0", configurations: [configuration] }, null, 2),
  );
  // Once the workbench has read launch.json its configuration is the selected one (the status
  // bar shows it): F5 starts it.
  await page.keyboard.press("Escape");
  await page
    .locator(".statusbar-item", { hasText: "long hold" })
    .first()
    .waitFor({ timeout: 30_000 });
  await page.locator(".editor-instance .monaco-editor .view-lines").first().click();
  await page.keyboard.press("F5");
  // The session may have switched the side bar to Run and Debug: back to threadlens (a click on
  // the container already shown would close the side bar).
  await page.locator(".debug-toolbar").waitFor({ timeout: 30_000 });
  const shown = await activity.evaluate(
    (el) => el.closest(".action-item")?.classList.contains("checked") ?? false,
  );
  if (!shown) await activity.click();
  let text = "";
  for (
    let waited = 0;
    waited < 60_000 && !/main (has held|held) config/.test(text);
    waited += 250
  ) {
    await page.waitForTimeout(250);
    text = (await webviewText(page, "#warnings")) ?? "";
  }
  log(`warnings: ${text.replace(/\s+/g, " ")}`);
  await shot(page, "10-long-hold-warning");
  if (!/main (has held config for [\d.]+ m?s, still held|held config for [\d.]+ m?s)/.test(text))
    throw new Error(`no long-hold warning in the Threads view: "${text}"`);
  if (!/long-hold\.ts:\d+/.test(text)) throw new Error(`the warning names no site: "${text}"`);
  await runCommand(page, "Debug Console: Focus on Debug Console View");
  await page
    .locator(".repl .output", { hasText: "main has held config for" })
    .first()
    .waitFor({ timeout: 20_000 });
  await shot(page, "10b-long-hold-console");
}
