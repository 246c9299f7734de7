// The UI checks of controlled schedules beyond the confirmation itself (issue 16): the
// confirmed S11 error's "Replay under the debugger" starts a threadlens session that stops on
// the deadlock with both threads in the Call Stack, and a confirmation's progress notification
// cancelled with its Cancel button ends the confirm run (no process left) and changes nothing.
// ui.mjs runs them after confirmS11 (uiEditor.mjs), which leaves S11 confirmed.
import { execFileSync } from "node:child_process";
import { goToLine, openFile, openQuickFix } from "./uiEditor.mjs";

/** Chooses `title` in the Quick Fix menu at the cursor, with the keyboard as a user does. */
async function chooseQuickFix(page, title) {
  await openQuickFix(page, title);
  const focused = page.locator(".action-widget .monaco-list-row.focused");
  for (let i = 0; i < 12; i++) {
    const text = await focused.innerText().catch(() => "");
    if (text.includes(title)) break;
    await page.keyboard.press("ArrowDown");
  }
  if (!(await focused.innerText()).includes(title))
    throw new Error(`the Quick Fix menu never focused ${title}`);
  await page.keyboard.press("Enter");
}

/** S11 is confirmed (its error at line 51 offers the replay): replay it under the debugger. */
export async function replayS11(page, shot, log) {
  await openFile(page, "s11-timed.ts");
  await goToLine(page, 51, 5);
  await page.locator(".editor-instance .squiggly-error").first().waitFor({ timeout: 30_000 });
  await chooseQuickFix(page, "Replay under the debugger");
  try {
    await replayStops(page, shot, log);
  } finally {
    // Teardown: the session ends, also when the check failed (a session left stopped would
    // take the next check's F5 as Continue).
    await page.keyboard.press("Shift+F5");
    await page
      .locator(".debug-toolbar")
      .waitFor({ state: "hidden", timeout: 30_000 })
      .catch(() => log("the replay session's toolbar is still shown after Shift+F5"));
  }
}

/** The replay session stops on the deadlock: both threads of the cycle in the Call Stack. */
async function replayStops(page, shot, log) {
  await page.locator(".debug-toolbar").waitFor({ timeout: 60_000 });
  // Run and Debug opens by itself only for the first session of the window: an earlier check's
  // F5 already had it, and the side bar went back to threadlens since. Show it (a click on the
  // container already shown would close the side bar).
  const debugView = page.locator('.activitybar [aria-label^="Run and Debug"]').first();
  const shown = await debugView.evaluate(
    (el) => el.closest(".action-item")?.classList.contains("checked") ?? false,
  );
  if (!shown) await debugView.click();
  const stack = page.locator(".debug-call-stack");
  const deadlocked = stack.locator(".monaco-list-row", { hasText: /deadlocked on/i });
  // The replayed schedule deadlocks within seconds, many more on a loaded machine.
  const deadline = Date.now() + 150_000;
  while ((await deadlocked.count()) < 2) {
    if (Date.now() > deadline) {
      const seen = (await stack.innerText().catch(() => "")).replace(/\s+/g, " ");
      throw new Error(`the replay did not stop with two deadlocked threads: "${seen}"`);
    }
    await page.waitForTimeout(250);
  }
  const text = (await stack.innerText()).replace(/\s+/g, " ");
  log(`replay call stack: ${text.slice(0, 400)}`);
  await shot(page, "11-s11-replay-call-stack");
  // The Call Stack shows a thread's state in capitals ("first DEADLOCKED ON LOCKB").
  const cycle = [...text.matchAll(/(first|second) deadlocked on (lock[AB])/gi)].map((m) =>
    `${m[1]} on ${m[2]}`.toLowerCase(),
  );
  cycle.sort();
  if (JSON.stringify(cycle) !== JSON.stringify(["first on lockb", "second on locka"]))
    throw new Error(`not first on lockB and second on lockA: ${text}`);
}

/**
 * Command lines of the confirm of `file` (of `workspace`) still alive on this machine: the CLI
 * (`cli.js run file --confirm`, run in the workspace) and the program under it (its absolute
 * path).
 */
function confirmProcesses(workspace, file) {
  const lines = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }).split("\n");
  return lines.filter(
    (l) =>
      l.includes(`${workspace}/${file}`) || (l.includes(` ${file} `) && l.includes("--confirm")),
  );
}

/**
 * "Confirm by rerunning" on confirm-slow.ts (its first run lasts a minute), then the progress
 * notification's Cancel: the notification goes, no outcome is shown, the warning stays a
 * warning, and no process of the confirm is left.
 */
export async function cancelConfirm(page, workspace, shot, log) {
  const file = "confirm-slow.ts";
  await openFile(page, file);
  await goToLine(page, 32, 5);
  await page.locator(".editor-instance .squiggly-warning").first().waitFor({ timeout: 30_000 });
  await chooseQuickFix(page, "Confirm by rerunning");
  const progress = page
    .locator(".notifications-toasts .notification-toast", {
      hasText: `confirming the potential deadlock by rerunning ${file}`,
    })
    .first();
  await progress.waitFor({ timeout: 20_000 });
  // The run has started once its process is there (the CLI, then the program under it).
  const started = Date.now();
  while (confirmProcesses(workspace, file).length === 0) {
    if (Date.now() - started > 30_000) throw new Error("no confirm process started");
    await page.waitForTimeout(250);
  }
  await shot(page, "12a-confirm-progress-before-cancel");
  await progress.hover();
  await progress.getByRole("button", { name: "Cancel" }).click();
  await progress.waitFor({ state: "hidden", timeout: 20_000 });
  const ended = Date.now();
  let left = confirmProcesses(workspace, file);
  while (left.length > 0 && Date.now() - ended < 20_000) {
    await page.waitForTimeout(250);
    left = confirmProcesses(workspace, file);
  }
  if (left.length > 0) throw new Error(`confirm processes left after Cancel: ${left.join(" | ")}`);
  log(`confirm of ${file} cancelled; no process left`);
  // Every outcome message names the program (confirmPlan.ts); the progress toast is gone.
  const outcome = page.locator(".notifications-toasts .notification-toast", { hasText: file });
  if ((await outcome.count()) > 0)
    throw new Error(`an outcome was shown after Cancel: ${await outcome.first().innerText()}`);
  if ((await page.locator(".editor-instance .squiggly-error").count()) > 0)
    throw new Error(`${file} has an error after a cancelled confirm`);
  await page.locator(".editor-instance .squiggly-warning").first().waitFor({ timeout: 10_000 });
  await shot(page, "12b-confirm-cancelled");
}
