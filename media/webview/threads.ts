// The threads page script (bundled to dist/webview.js, run in the Threads view and the trace
// editor): the timeline (timelineDraw.ts) with zoom around the pointer, drag to pan and Fit,
// the wait-for graph (graphDraw.ts), and the source buttons (sourceList.ts). It tells the
// extension its viewport after each zoom or pan, so the next snapshot is detailed for it.
import type {
  FromWebviewMessage,
  SourceLocation,
  ThreadsSnapshot,
  ToWebviewMessage,
  Viewport,
} from "../../src/extension/webviewMessages.ts";
import { drawGraph, graphHit, graphSize, type GraphTarget } from "./graphDraw.ts";
import { renderSourceList } from "./sourceList.ts";
import {
  AXIS_HEIGHT,
  drawTimeline,
  LANE_HEIGHT,
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
const saved = vscode.getState();
let snapshot: ThreadsSnapshot | undefined = saved?.snapshot;
let viewStart = saved?.viewStart ?? 0;
let viewEnd: number | undefined = saved?.viewEnd;
let frame: TimelineFrame | undefined;
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

function foreground(): string {
  return getComputedStyle(document.body).color || "#ccc";
}

function render(): void {
  if (snapshot !== undefined) {
    document.body.classList.remove("failed");
    status.classList.remove("error");
    status.textContent =
      snapshot.status === "" ? snapshot.title : `${snapshot.title}: ${snapshot.status}`;
  }
  const lanes = snapshot?.lanes.length ?? 0;
  const width = timeline.parentElement?.clientWidth ?? 300;
  const timelineHeight = AXIS_HEIGHT + Math.max(1, lanes) * LANE_HEIGHT;
  // In a short sidebar the timeline keeps up to 45% of the view (its lanes scroll inside) rather
  // than being squeezed to a lane or two by the graph and the source list.
  if (timeline.parentElement !== null) {
    const keep = Math.min(timelineHeight, Math.round(window.innerHeight * 0.45));
    timeline.parentElement.style.minHeight = `${Math.max(50, keep)}px`;
  }
  const ctx = prepare(timeline, width, timelineHeight);
  frame = drawTimeline(ctx, snapshot, viewStart, axisEnd(), width, foreground());
  const size = graphSize(snapshot, graphBox.clientWidth || 300);
  const graphCtx = prepare(graph, size.width, size.height);
  graphTargets = drawGraph(graphCtx, snapshot, size.width, size.height, foreground());
  renderSourceList(sources, snapshot, open);
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
  const end = axisEnd();
  viewStart = Math.max(0, pivot - (pivot - viewStart) * factor);
  viewEnd = Math.max(viewStart + 1, pivot + (end - pivot) * factor);
  viewChanged();
}

function pan(delta: number): void {
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
  const hit = snapshot && frame ? timelineHit(frame, snapshot, x, y) : undefined;
  showTooltip(hit?.text, event);
});
timeline.addEventListener("mouseleave", () => showTooltip(undefined));

timeline.addEventListener("click", (event) => {
  if (dragged || snapshot === undefined || frame === undefined) return;
  const { x, y } = canvasPoint(timeline, event);
  const location = timelineHit(frame, snapshot, x, y)?.location;
  if (location !== undefined) open(location);
});

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

element<HTMLButtonElement>("fit").addEventListener("click", fit);

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
    if (newSession && (viewStart !== 0 || viewEnd !== undefined)) {
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
