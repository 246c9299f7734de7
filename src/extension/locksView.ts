// The Locks view (tree): each lock with its owner, waiters, acquisitions, contention and hold
// times; the run's findings under it, each opening its source line.
import path from "node:path";
import * as vscode from "vscode";
import type { Finding } from "../protocol/report.ts";
import { COMMAND_OPEN_SITE } from "./ids.ts";
import type { LockSummary } from "./traceModel.ts";
import type { ViewState } from "./viewState.ts";

type LockNode =
  | { readonly type: "lock"; readonly lock: LockSummary; readonly findings: readonly Finding[] }
  | { readonly type: "finding"; readonly finding: Finding; readonly cwd: string }
  | { readonly type: "info"; readonly label: string };

export class LocksTreeProvider implements vscode.TreeDataProvider<LockNode>, vscode.Disposable {
  readonly #changed = new vscode.EventEmitter<LockNode | undefined>();
  readonly onDidChangeTreeData = this.#changed.event;
  readonly #subscription: vscode.Disposable;

  constructor(private readonly views: ViewState) {
    this.#subscription = views.onDidChange(() => this.#changed.fire(undefined));
  }

  getChildren(node?: LockNode): LockNode[] {
    const { findings, cwd } = this.views.findings;
    if (node === undefined) {
      const locks = this.views.model.locks();
      if (locks.length === 0) return [{ type: "info", label: "No locks recorded yet." }];
      return locks.map((lock) => ({
        type: "lock",
        lock,
        findings: findings.filter((f) => f.locks.includes(lock.name)),
      }));
    }
    if (node.type === "lock")
      return node.findings.map((finding) => ({ type: "finding", finding, cwd }));
    return [];
  }

  getTreeItem(node: LockNode): vscode.TreeItem {
    if (node.type === "info") return new vscode.TreeItem(node.label);
    if (node.type === "finding") return findingItem(node.finding, node.cwd);
    const { lock } = node;
    const item = new vscode.TreeItem(
      lock.name,
      node.findings.length > 0
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.None,
    );
    const owner = lock.owners.length > 0 ? `held by ${lock.owners.join(", ")}` : "free";
    const waiting = lock.waiters.length > 0 ? `, waiting: ${lock.waiters.join(", ")}` : "";
    item.description = `${lock.kind} · ${owner}${waiting}`;
    item.tooltip = new vscode.MarkdownString(
      [
        `**${lock.name}** (${lock.kind})`,
        `- owner: ${lock.owners.join(", ") || "none"}`,
        `- waiters: ${lock.waiters.join(", ") || "none"}`,
        `- acquisitions: ${lock.acquisitions}, contended: ${lock.contended}`,
        `- hold time: average ${formatMicros(lock.averageHold)}, longest ${formatMicros(lock.longestHold)}`,
      ].join("\n"),
    );
    item.iconPath = new vscode.ThemeIcon(
      lock.waiters.length > 0 ? "lock" : lock.owners.length > 0 ? "lock-small" : "unlock",
    );
    if (lock.created !== undefined) {
      item.command = {
        command: COMMAND_OPEN_SITE,
        title: "Open creation site",
        arguments: [lock.created],
      };
    }
    return item;
  }

  dispose(): void {
    this.#subscription.dispose();
    this.#changed.dispose();
  }
}

function findingItem(finding: Finding, cwd: string): vscode.TreeItem {
  const item = new vscode.TreeItem(finding.kind);
  item.description = finding.message;
  item.tooltip = finding.message;
  item.iconPath = new vscode.ThemeIcon(finding.kind === "deadlock" ? "error" : "warning");
  const site = finding.sites.find((s) => s.role === "waits") ?? finding.sites[0];
  if (site !== undefined) {
    item.command = {
      command: COMMAND_OPEN_SITE,
      title: "Open source",
      arguments: [{ file: path.resolve(cwd, site.file), line: site.line, column: site.column }],
    };
  }
  return item;
}

export function formatMicros(us: number): string {
  if (us >= 1_000_000) return `${(us / 1_000_000).toFixed(2)} s`;
  if (us >= 1_000) return `${(us / 1_000).toFixed(1)} ms`;
  return `${Math.round(us)} µs`;
}
