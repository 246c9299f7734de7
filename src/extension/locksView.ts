// The Locks view (tree): each lock with its holder, waiters, acquisitions, contention, hold time
// p50/p99/max and wait time (lockRows.ts), sorted as the user picks; the run's findings under
// it, each opening its source line.
import path from "node:path";
import * as vscode from "vscode";
import type { Finding } from "../protocol/report.ts";
import { severityOf } from "./diagnosticPlan.ts";
import { COMMAND_OPEN_SITE } from "./ids.ts";
import { LOCK_SORTS, lockDescription, lockTable, sortLocks, type LockSort } from "./lockRows.ts";
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
  #sort: LockSort = "contention";

  constructor(private readonly views: ViewState) {
    this.#subscription = views.onDidChange(() => this.#changed.fire(undefined));
  }

  getChildren(node?: LockNode): LockNode[] {
    const { findings, cwd } = this.views.findings;
    if (node === undefined) {
      const locks = this.views.model.locks();
      if (locks.length === 0) return [{ type: "info", label: "No locks recorded yet." }];
      return sortLocks(locks, this.#sort).map((lock) => ({
        type: "lock",
        lock,
        findings: findings.filter((f) => f.locks.includes(lock.lock)),
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
      lock.lock,
      node.findings.length > 0
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.None,
    );
    item.description = lockDescription(lock);
    item.tooltip = new vscode.MarkdownString(lockTable(lock));
    item.iconPath = new vscode.ThemeIcon(
      lock.waiters.length > 0 ? "lock" : lock.holders.length > 0 ? "lock-small" : "unlock",
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

  get sort(): LockSort {
    return this.#sort;
  }

  /** Asks which figure to sort by (the view's title button). */
  async pickSort(): Promise<void> {
    const items = Object.entries(LOCK_SORTS).map(([key, label]) => ({
      label,
      key: key as LockSort,
      picked: key === this.#sort,
    }));
    const picked = await vscode.window.showQuickPick(items, { title: "Sort locks by" });
    if (picked === undefined) return;
    this.#sort = picked.key;
    this.#changed.fire(undefined);
  }

  dispose(): void {
    this.#subscription.dispose();
    this.#changed.dispose();
  }
}

function findingItem(finding: Finding, cwd: string): vscode.TreeItem {
  // The kind is the label; the message says it again ("deadlock: ..."): not twice.
  const item = new vscode.TreeItem(finding.kind);
  item.description = finding.message.replace(/^[\w-]+: /, "");
  item.tooltip = finding.message;
  // The same severity as the finding's diagnostics: a hang or self-deadlock is an error too.
  item.iconPath = new vscode.ThemeIcon(severityOf(finding.kind, "run", finding.confirmed === true));
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
