// The live warnings under the status line: each lock held (or waited for) past the session's
// `lockTimeoutWarningMs`, still lasting first ("main has held config for 1.2 s, still held"),
// then the last few that ended, dimmed; each a button opening where the lock was taken. Rebuilt
// only when its text changes, so a live session's updates do not steal focus.
import type { LockWarningSummary, SourceLocation } from "../../src/extension/webviewMessages.ts";

let shown = "";

export function renderWarnings(
  box: HTMLElement,
  warnings: readonly LockWarningSummary[] | undefined,
  open: (location: SourceLocation) => void,
): void {
  const list = warnings ?? [];
  const key = JSON.stringify(list.map((w) => [w.label, w.where, w.active]));
  if (key === shown) return;
  shown = key;
  box.replaceChildren();
  box.hidden = list.length === 0;
  for (const warning of list) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `warning ${warning.kind}${warning.active ? " active" : " ended"}`;
    button.dataset["kind"] = warning.kind;
    button.dataset["active"] = String(warning.active);
    button.textContent = `${warning.active ? "⚠ " : ""}${warning.label}${warning.where === undefined ? "" : ` — ${warning.where}`}`;
    const location = warning.location;
    if (location === undefined) button.disabled = true;
    else button.addEventListener("click", () => open(location));
    box.append(button);
  }
}
