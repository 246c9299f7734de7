// Below the canvases, the same things as buttons, for the keyboard and screen readers (and the
// end-to-end tests): each wait-for edge, and each site of each finding, opening its source line.
// Rebuilt only when its content changes, so a live session's updates do not steal focus.
import type {
  SourceLocation,
  ThreadsSnapshot,
  WaitForEdge,
} from "../../src/extension/webviewMessages.ts";
import { shortSite } from "./timelineDraw.ts";

let shown = "";

export function renderSourceList(
  box: HTMLElement,
  snapshot: ThreadsSnapshot | undefined,
  open: (location: SourceLocation) => void,
): void {
  const key = JSON.stringify([snapshot?.edges, snapshot?.findings, snapshot?.lanes.length]);
  if (key === shown) return;
  shown = key;
  box.replaceChildren();
  if (snapshot === undefined) return;
  const names = new Map(snapshot.lanes.map((l) => [l.ident, l.name]));
  if (snapshot.edges.length > 0) {
    box.append(heading("Wait-for edges"));
    const list = document.createElement("ul");
    list.id = "wait-edges";
    for (const edge of snapshot.edges) list.append(edgeItem(edge, names, open));
    box.append(list);
  }
  if (snapshot.findings.length > 0) {
    box.append(heading("Findings"));
    const list = document.createElement("ul");
    list.id = "findings";
    snapshot.findings.forEach((finding, index) => {
      const item = document.createElement("li");
      item.className = "finding";
      item.dataset["kind"] = finding.kind;
      const text = document.createElement("div");
      text.textContent = `${finding.kind}: ${finding.message}`;
      item.append(text);
      const sites = document.createElement("ul");
      for (const site of finding.sites) {
        const button = siteButton(site.label, site.location, open);
        button.className = "finding-site";
        button.dataset["kind"] = finding.kind;
        button.dataset["finding"] = String(index);
        const li = document.createElement("li");
        li.append(button);
        sites.append(li);
      }
      item.append(sites);
      list.append(item);
    });
    box.append(list);
  }
}

function heading(text: string): HTMLElement {
  const h = document.createElement("h3");
  h.textContent = text;
  return h;
}

function edgeItem(
  edge: WaitForEdge,
  names: ReadonlyMap<number, string>,
  open: (location: SourceLocation) => void,
): HTMLLIElement {
  const from = names.get(edge.from) ?? `#${edge.from}`;
  const to = names.get(edge.to) ?? `#${edge.to}`;
  const where = edge.site === undefined ? "" : ` (${shortSite(edge.site)})`;
  const label = `${from} waits for ${edge.lock} held by ${to}${edge.inCycle ? " — deadlock cycle" : ""}${where}`;
  const button = siteButton(label, edge.site, open);
  button.className = "wait-edge";
  button.dataset["lock"] = edge.lock;
  button.dataset["from"] = from;
  button.dataset["to"] = to;
  button.dataset["inCycle"] = String(edge.inCycle);
  const item = document.createElement("li");
  item.append(button);
  return item;
}

function siteButton(
  label: string,
  location: SourceLocation | undefined,
  open: (location: SourceLocation) => void,
): HTMLButtonElement {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  if (location === undefined) {
    button.disabled = true;
    return button;
  }
  button.title = `Open ${location.file}:${location.line}`;
  button.dataset["file"] = location.file;
  button.dataset["line"] = String(location.line);
  button.addEventListener("click", () => open(location));
  return button;
}
