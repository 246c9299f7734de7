// The threads page script (bundled to dist/webview.js, run in the Threads view and the trace
// editor): the legend, the timeline (timelineDraw.ts) with zoom around the pointer, drag to
// pan and Fit, opening on the snapshot's focus (the deadlock, else the most contended span)
// until the user zooms; search by thread or lock; the details panel of a clicked segment
// (details.ts); the live long-hold warnings (warningsList.ts); the wait-for graph (graphDraw.ts)
// and the source buttons (sourceList.ts); with no session, actions to start one. It tells the
// extension its viewport after each zoom or pan, so the next snapshot is detailed for it.
import type {
  FromWebviewMessage,
  SourceLocation,
  ThreadsSnapshot,
  ToWebviewMessage,
  Viewport,
} from "../../src/extension/webviewMessages.ts";
import { drawGraph, graphHit, planGraph, type GraphTarget } from "./graphDraw.ts";
import { details } from "./details.ts";
import { renderSourceList } from "./sourceList.ts";
import { renderWarnings } from "./warningsList.ts";
import {
  AXIS_HEIGHT,
  drawTimeline,
  LANE_HEIGHT,
  LEGEND,
  labelWidth,
  timelineHit,
  type TimelineFrame,
} from "./timelineDraw.ts";

interface SavedState {
  readonly snapshot: ThreadsSnapshot | undefined;
  readonly viewStart: number;
  readonly viewEnd: number | undefined;
}

interface VsCodeApi {
  postMessage(message: FromWebviewMessage): void;
  getState(): SavedState | undefined;
  setState(state: SavedState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
/** Zoom and pan ask for a new snapshot once they pause this long. */
const VIEWPORT_DEBOUNCE_MS = 120;

const status = element<HTMLDivElement>("status");
const timeline = element<HTMLCanvasElement>("timeline");
const graphBox = element<HTMLDivElement>("graph-box");
const graph = element<HTMLCanvasElement>("graph");
const sources = element<HTMLDivElement>("sources");
const tooltip = element<HTMLDivElement>("tooltip");
const search = element<HTMLInputElement>("search");
const detailsBox = element<HTMLDivElement>("details");
const empty = element<HTMLDivElement>("empty");
const warningsBox = element<HTMLDivElement>("warnings");
const saved = vscode.getState();
/** The user zoomed, panned or fitted: the view no longer follows the snapshot's focus. */
let userMoved = saved?.viewEnd !== undefined;
let snapshot: ThreadsSnapshot | undefined = saved?.snapshot;
let viewStart = saved?.viewStart ?? 0;
let viewEnd: number | undefined = saved?.viewEnd;
let frame: TimelineFrame | undefined;
/** The (searched) snapshot the last frame drew: what hover and click hit. */
let drawn: ThreadsSnapshot | undefined;
let graphTargets: GraphTarget[] = [];
let viewportTimer: ReturnType<typeof setTimeout> | undefined;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`missing #${id}`);
  return found as T;
}

function axisEnd(): number {
  return viewEnd ?? Math.max(1, snapshot?.now ?? 1);
}

function viewport(): Viewport {
  const width = timeline.clientWidth || 300;
  return { start: viewStart, end: viewEnd, width: Math.max(1, width - labelWidth(width)) };
}

function open(location: SourceLocation): void {
  vscode.postMessage({ type: "openSource", location });
}

/** The view changed: draw now from what we have, ask for detail for it once it settles. */
function viewChanged(): void {
  vscode.setState({ snapshot, viewStart, viewEnd });
  render();
  if (viewportTimer !== undefined) clearTimeout(viewportTimer);
  viewportTimer = setTimeout(() => {
    viewportTimer = undefined;
    vscode.postMessage({ type: "viewport", viewport: viewport() });
  }, VIEWPORT_DEBOUNCE_MS);
}

function prepare(
  canvas: HTMLCanvasElement,
  width: number,
  height: number,
): CanvasRenderingContext2D {
  const ratio = window.devicePixelRatio || 1;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  canvas.width = Math.floor(width * ratio);
  canvas.height = Math.floor(height * ratio);
  const ctx = canvas.getContext("2d");
  if (ctx === null) throw new Error("no 2d context");
  ctx.scale(ratio, ratio);
  ctx.font = "11px sans-serif";
  ctx.textBaseline = "middle";
  return ctx;
}

const measureContext = document.createElement("canvas").getContext("2d");
/** A text's width in the canvases' font (the graph's layout makes room for it). */
function measureText(text: string): number {
  if (measureContext === null) return text.length * 7;
  measureContext.font = "11px sans-serif";
  return measureContext.measureText(text).width;
}

function foreground(): string {
  return getComputedStyle(document.body).color || "#ccc";
}

/** The snapshot with only the lanes the search matches (thread, its process, or a lock it used). */
function shown(): ThreadsSnapshot | undefined {
  const query = search.value.trim().toLowerCase();
  if (snapshot === undefined || query === "") return snapshot;
  const names = snapshot.names.map((n) => n.toLowerCase().includes(query));
  const lanes = snapshot.lanes.filter(
    (lane) =>
      lane.name.toLowerCase().includes(query) ||
      lane.process.toLowerCase().includes(query) ||
      lane.intervals.lock.some((i) => names[i] === true),
  );
  return { ...snapshot, lanes };
}

function render(): void {
  const all = snapshot;
  const isEmpty = all === undefined || all.lanes.length === 0;
  empty.hidden = !isEmpty;
  // Nothing recorded yet: the actions instead of an empty axis and graph.
  document.body.classList.toggle("empty", isEmpty);
  if (all !== undefined) {
    document.body.classList.remove("failed");
    status.classList.remove("error");
    status.textContent = all.status === "" ? all.title : `${all.title}: ${all.status}`;
  }
  const view = shown();
  drawn = view;
  const lanes = view?.lanes.length ?? 0;
  const width = timeline.parentElement?.clientWidth ?? 300;
  const timelineHeight = AXIS_HEIGHT + Math.max(1, lanes) * LANE_HEIGHT;
  // In a short sidebar the timeline keeps up to 45% of the view (its lanes scroll inside) rather
  // than being squeezed to a lane or two by the graph and the source list.
  if (timeline.parentElement !== null) {
    const keep = Math.min(timelineHeight, Math.round(window.innerHeight * 0.45));
    timeline.parentElement.style.minHeight = `${Math.max(50, keep)}px`;
  }
  const ctx = prepare(timeline, width, timelineHeight);
  frame = drawTimeline(ctx, view, viewStart, axisEnd(), width, foreground());
  // For tests and assistive tools: the range shown and where the cycle's lanes are.
  timeline.dataset["viewStart"] = String(viewStart);
  timeline.dataset["viewEnd"] = String(axisEnd());
  timeline.dataset["now"] = String(all?.now ?? 0);
  timeline.dataset["left"] = String(frame.left);
  timeline.dataset["laneTop"] = String(AXIS_HEIGHT);
  timeline.dataset["laneHeight"] = String(LANE_HEIGHT);
  timeline.dataset["cycleLanes"] = (view?.lanes ?? [])
    .flatMap((lane, i) => (lane.inCycle ? [i] : []))
    .join(",");
  // The graph box's height limit (a third of the view), for the graph to fit it as well.
  const maxHeight = Number.parseFloat(getComputedStyle(graphBox).maxHeight);
  const plan = planGraph(
    view,
    graphBox.clientWidth || 300,
    measureText,
    Number.isFinite(maxHeight) ? maxHeight : Infinity,
  );
  const graphCtx = prepare(graph, plan.frame.width, plan.frame.height);
  graphTargets = drawGraph(graphCtx, plan, foreground());
  // For tests: the scale the graph was fitted at (1: full size; below: shrunk to fit).
  graph.dataset["scale"] = plan.frame.scale.toFixed(3);
  renderSourceList(sources, view, open);
  renderWarnings(warningsBox, all?.warnings, open);
}

function canvasPoint(canvas: HTMLCanvasElement, event: MouseEvent): { x: number; y: number } {
  const rect = canvas.getBoundingClientRect();
  return { x: event.clientX - rect.left, y: event.clientY - rect.top };
}

function timeAt(clientX: number): number {
  const f = frame;
  if (f === undefined) return viewStart;
  const x = clientX - timeline.getBoundingClientRect().left - f.left;
  return viewStart + (x / f.width) * (axisEnd() - viewStart);
}

/** Zooms by `factor` (< 1: in) keeping the time at `pivot` where it is on screen. */
function zoom(pivot: number, factor: number): void {
  userMoved = true;
  const end = axisEnd();
  viewStart = Math.max(0, pivot - (pivot - viewStart) * factor);
  viewEnd = Math.max(viewStart + 1, pivot + (end - pivot) * factor);
  viewChanged();
}

function pan(delta: number): void {
  userMoved = true;
  const span = axisEnd() - viewStart;
  viewStart = Math.max(0, viewStart + delta);
  viewEnd = viewStart + span;
  viewChanged();
}

function fit(): void {
  viewStart = 0;
  viewEnd = undefined;
  viewChanged();
}

timeline.tabIndex = 0;
timeline.addEventListener("wheel", (event) => {
  event.preventDefault();
  zoom(timeAt(event.clientX), event.deltaY > 0 ? 1.25 : 0.8);
});

let dragFrom: number | undefined;
let dragged = false;
timeline.addEventListener("mousedown", (event) => {
  dragFrom = event.clientX;
  dragged = false;
});
window.addEventListener("mouseup", () => (dragFrom = undefined));
timeline.addEventListener("mousemove", (event) => {
  if (dragFrom !== undefined) {
    if (Math.abs(event.clientX - dragFrom) > 2) dragged = true;
    if (dragged) {
      const delta = timeAt(dragFrom) - timeAt(event.clientX);
      dragFrom = event.clientX;
      tooltip.style.display = "none";
      pan(delta);
      return;
    }
  }
  const { x, y } = canvasPoint(timeline, event);
  const hit = drawn && frame ? timelineHit(frame, drawn, x, y) : undefined;
  showTooltip(hit?.text, event);
});
timeline.addEventListener("mouseleave", () => showTooltip(undefined));

timeline.addEventListener("click", (event) => {
  if (dragged || drawn === undefined || frame === undefined) return;
  const { x, y } = canvasPoint(timeline, event);
  const hit = timelineHit(frame, drawn, x, y);
  if (hit === undefined) return;
  showDetails(drawn, hit);
  if (hit.location !== undefined) open(hit.location);
});

/** Fills the details panel for what was clicked. */
function showDetails(shownSnapshot: ThreadsSnapshot, hit: Parameters<typeof details>[1]): void {
  const found = details(shownSnapshot, hit);
  detailsBox.replaceChildren();
  if (found === undefined) return;
  for (const line of found.lines) {
    const div = document.createElement("div");
    div.textContent = line;
    detailsBox.append(div);
  }
  const location = found.location;
  if (location !== undefined) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Open source";
    button.addEventListener("click", () => open(location));
    detailsBox.append(button);
  }
  detailsBox.hidden = false;
}

timeline.addEventListener("keydown", (event) => {
  const span = axisEnd() - viewStart;
  const middle = viewStart + span / 2;
  if (event.key === "+" || event.key === "=") zoom(middle, 0.8);
  else if (event.key === "-") zoom(middle, 1.25);
  else if (event.key === "ArrowLeft") pan(-span / 10);
  else if (event.key === "ArrowRight") pan(span / 10);
  else if (event.key === "0" || event.key === "Home") fit();
  else return;
  event.preventDefault();
});

element<HTMLButtonElement>("fit").addEventListener("click", () => {
  userMoved = true;
  fit();
});
search.addEventListener("input", () => render());
element<HTMLButtonElement>("run-file").addEventListener("click", () =>
  vscode.postMessage({ type: "command", command: "runCurrentFile" }),
);
element<HTMLButtonElement>("open-trace").addEventListener("click", () =>
  vscode.postMessage({ type: "command", command: "openTrace" }),
);

/** The legend: one swatch per state colour the lanes use. */
function renderLegend(): void {
  const box = element<HTMLSpanElement>("states");
  for (const [label, color] of LEGEND) {
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = color;
    const entry = document.createElement("span");
    entry.className = "entry";
    entry.append(swatch, ` ${label}`);
    box.append(entry);
  }
}
renderLegend();

/** Opens on the snapshot's focus until the user moves: a new deadlock is shown, not a pixel. */
function followFocus(): boolean {
  const focus = snapshot?.focus;
  if (userMoved || focus === undefined) return false;
  if (focus.start === viewStart && focus.end === viewEnd) return false;
  viewStart = focus.start;
  viewEnd = focus.end;
  viewChanged();
  return true;
}

graph.addEventListener("click", (event) => {
  const { x, y } = canvasPoint(graph, event);
  const location = graphHit(graphTargets, x, y)?.location;
  if (location !== undefined) open(location);
});
graph.addEventListener("mousemove", (event) => {
  const { x, y } = canvasPoint(graph, event);
  graph.style.cursor = graphHit(graphTargets, x, y)?.location ? "pointer" : "default";
});

function showTooltip(text: string | undefined, event?: MouseEvent): void {
  if (text === undefined || event === undefined) {
    tooltip.style.display = "none";
    return;
  }
  tooltip.textContent = text;
  tooltip.style.display = "block";
  const left = Math.min(event.clientX + 12, window.innerWidth - tooltip.offsetWidth - 4);
  tooltip.style.left = `${Math.max(0, left)}px`;
  tooltip.style.top = `${event.clientY + 14}px`;
}

window.addEventListener("message", (event: MessageEvent<ToWebviewMessage>) => {
  const message = event.data;
  if (message.type === "error") {
    snapshot = undefined;
    status.textContent = message.message;
    status.classList.add("error");
    // Only the message: no empty axis or graph under it.
    document.body.classList.add("failed");
    vscode.setState({ snapshot, viewStart: 0, viewEnd: undefined });
    render();
    return;
  }
  if (message.type === "snapshot") {
    const newSession = snapshot?.title !== message.snapshot.title;
    snapshot = message.snapshot;
    if (newSession) {
      userMoved = false;
      detailsBox.hidden = true;
    }
    if (followFocus()) return;
    if (newSession && !userMoved && snapshot.focus === undefined && viewEnd !== undefined) {
      fit();
      return;
    }
  } else {
    snapshot = undefined;
  }
  vscode.setState({ snapshot, viewStart, viewEnd });
  render();
});
window.addEventListener("resize", viewChanged);

render();
vscode.postMessage({ type: "ready", viewport: viewport() });
