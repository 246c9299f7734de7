// The Threads view's page script (bundled to dist/webview.js, run in the webview): draws one
// lane per logical thread on a shared time axis and the wait-for graph, on canvases, with the
// states aggregated per pixel so 100 threads and a million events stay cheap to draw.
import type {
  FromWebviewMessage,
  SourceLocation,
  ThreadLane,
  ThreadState,
  ThreadsSnapshot,
  ToWebviewMessage,
} from "../../src/extension/webviewMessages.ts";

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
const LANE_HEIGHT = 18;
const LABEL_WIDTH = 90;
const AXIS_HEIGHT = 16;
/** Higher wins when several states share a pixel: a short block must stay visible. */
const PRIORITY: Readonly<Record<ThreadState, number>> = {
  exited: 1,
  running: 2,
  sleeping: 3,
  joining: 4,
  waiting: 5,
  blocked: 6,
};
const STATES = Object.keys(PRIORITY) as ThreadState[];
const COLORS: Readonly<Record<ThreadState, string>> = {
  exited: "rgba(128,128,128,0.25)",
  running: "#3c9d5d",
  sleeping: "#6c7fa8",
  joining: "#b09a3c",
  waiting: "#d08a2e",
  blocked: "#d9413a",
};

const status = element<HTMLDivElement>("status");
const timeline = element<HTMLCanvasElement>("timeline");
const graph = element<HTMLCanvasElement>("graph");
const saved = vscode.getState();
let snapshot: ThreadsSnapshot | undefined = saved?.snapshot;
let viewStart = saved?.viewStart ?? 0;
let viewEnd: number | undefined = saved?.viewEnd;
let graphTargets: { x: number; y: number; location: SourceLocation | undefined }[] = [];

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`missing #${id}`);
  return found as T;
}

function save(): void {
  vscode.setState({ snapshot, viewStart, viewEnd });
}

function axisEnd(): number {
  return viewEnd ?? Math.max(1, snapshot?.now ?? 1);
}

function prepare(canvas: HTMLCanvasElement, height: number): CanvasRenderingContext2D {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 300;
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

function drawLane(ctx: CanvasRenderingContext2D, lane: ThreadLane, y: number, width: number): void {
  const start = viewStart;
  const span = axisEnd() - start;
  const pixels = new Uint8Array(width);
  const now = snapshot?.now ?? 0;
  for (const s of lane.segments) {
    const from = Math.floor(((s.start - start) / span) * width);
    const to = Math.ceil((((s.end ?? now) - start) / span) * width);
    if (to < 0 || from >= width) continue;
    const p = PRIORITY[s.state];
    for (let x = Math.max(0, from); x < Math.min(width, Math.max(to, from + 1)); x++) {
      if ((pixels[x] ?? 0) < p) pixels[x] = p;
    }
  }
  let runStart = 0;
  for (let x = 1; x <= width; x++) {
    if (x < width && pixels[x] === pixels[runStart]) continue;
    const p = pixels[runStart] ?? 0;
    const state = STATES.find((k) => PRIORITY[k] === p);
    if (state !== undefined) {
      ctx.fillStyle = COLORS[state];
      ctx.fillRect(LABEL_WIDTH + runStart, y + 3, x - runStart, LANE_HEIGHT - 6);
    }
    runStart = x;
  }
}

function drawTimeline(): void {
  const lanes = snapshot?.lanes ?? [];
  const ctx = prepare(timeline, AXIS_HEIGHT + Math.max(1, lanes.length) * LANE_HEIGHT);
  const width = Math.max(1, timeline.clientWidth - LABEL_WIDTH);
  ctx.fillStyle = foreground();
  const end = axisEnd();
  // A narrow sidebar has room for the two ends only; labels are aligned so none overlaps.
  const steps = width >= 240 ? 4 : 1;
  for (let i = 0; i <= steps; i++) {
    const t = viewStart + ((end - viewStart) * i) / steps;
    ctx.textAlign = i === 0 ? "left" : i === steps ? "right" : "center";
    ctx.fillText(`${(t / 1000).toFixed(1)} ms`, LABEL_WIDTH + (width * i) / steps, 8);
  }
  ctx.textAlign = "left";
  lanes.forEach((lane, i) => {
    const y = AXIS_HEIGHT + i * LANE_HEIGHT;
    ctx.fillStyle = foreground();
    ctx.fillText(lane.name.slice(0, 14), 2, y + LANE_HEIGHT / 2);
    drawLane(ctx, lane, y, width);
  });
}

function drawGraph(): void {
  const edges = snapshot?.edges ?? [];
  const ctx = prepare(graph, 220);
  const width = graph.clientWidth || 300;
  graphTargets = [];
  ctx.fillStyle = foreground();
  if (edges.length === 0) {
    ctx.fillText("Wait-for graph: no thread waits for another.", 4, 12);
    return;
  }
  ctx.fillText("Wait-for graph (red: deadlock cycle)", 4, 12);
  const idents = [...new Set(edges.flatMap((e) => [e.from, e.to]))];
  const names = new Map(snapshot?.lanes.map((l) => [l.ident, l.name]));
  const cx = width / 2;
  const cy = 120;
  const r = Math.min(80, width / 2 - 50);
  const at = new Map(
    idents.map((id, i) => {
      const a = (2 * Math.PI * i) / idents.length - Math.PI / 2;
      return [id, { x: cx + r * Math.cos(a), y: cy + r * Math.sin(a) }];
    }),
  );
  for (const e of edges) {
    const a = at.get(e.from);
    const b = at.get(e.to);
    if (a === undefined || b === undefined) continue;
    ctx.strokeStyle = e.inCycle ? "#e5484d" : foreground();
    ctx.lineWidth = e.inCycle ? 2.5 : 1;
    arrow(ctx, a, b);
    ctx.fillStyle = e.inCycle ? "#e5484d" : foreground();
    ctx.fillText(e.lock, (a.x + b.x) / 2 + 4, (a.y + b.y) / 2);
  }
  for (const id of idents) {
    const p = at.get(id);
    if (p === undefined) continue;
    const edge = edges.find((e) => e.from === id);
    ctx.fillStyle = edge?.inCycle === true ? "#e5484d" : "#3c6e9d";
    ctx.beginPath();
    ctx.arc(p.x, p.y, 8, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillStyle = foreground();
    ctx.fillText(names.get(id) ?? `#${id}`, p.x + 11, p.y - 10);
    graphTargets.push({ x: p.x, y: p.y, location: edge?.site });
  }
}

function arrow(
  ctx: CanvasRenderingContext2D,
  a: { x: number; y: number },
  b: { x: number; y: number },
): void {
  const angle = Math.atan2(b.y - a.y, b.x - a.x);
  const tip = { x: b.x - 10 * Math.cos(angle), y: b.y - 10 * Math.sin(angle) };
  ctx.beginPath();
  ctx.moveTo(a.x + 10 * Math.cos(angle), a.y + 10 * Math.sin(angle));
  ctx.lineTo(tip.x, tip.y);
  ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(tip.x, tip.y);
  ctx.lineTo(tip.x - 7 * Math.cos(angle - 0.4), tip.y - 7 * Math.sin(angle - 0.4));
  ctx.moveTo(tip.x, tip.y);
  ctx.lineTo(tip.x - 7 * Math.cos(angle + 0.4), tip.y - 7 * Math.sin(angle + 0.4));
  ctx.stroke();
}

function render(): void {
  status.textContent =
    snapshot === undefined ? "No threadlens session yet." : `${snapshot.title}: ${snapshot.status}`;
  drawTimeline();
  drawGraph();
}

function timeAt(clientX: number): number {
  const x = clientX - timeline.getBoundingClientRect().left - LABEL_WIDTH;
  const width = Math.max(1, timeline.clientWidth - LABEL_WIDTH);
  return viewStart + (x / width) * (axisEnd() - viewStart);
}

timeline.addEventListener("wheel", (event) => {
  event.preventDefault();
  const pivot = timeAt(event.clientX);
  const factor = event.deltaY > 0 ? 1.25 : 0.8;
  viewStart = Math.max(0, pivot - (pivot - viewStart) * factor);
  viewEnd = Math.max(viewStart + 1, pivot + (axisEnd() - pivot) * factor);
  save();
  render();
});

let dragFrom: number | undefined;
let dragged = false;
timeline.addEventListener("mousedown", (event) => {
  dragFrom = event.clientX;
  dragged = false;
});
window.addEventListener("mouseup", () => (dragFrom = undefined));
timeline.addEventListener("mousemove", (event) => {
  if (dragFrom === undefined) return;
  const delta = timeAt(dragFrom) - timeAt(event.clientX);
  if (Math.abs(event.clientX - dragFrom) > 2) dragged = true;
  const end = axisEnd();
  viewStart = Math.max(0, viewStart + delta);
  viewEnd = Math.max(viewStart + 1, end + delta);
  dragFrom = event.clientX;
  save();
  render();
});

timeline.addEventListener("click", (event) => {
  if (dragged || snapshot === undefined) return;
  const y = event.clientY - timeline.getBoundingClientRect().top - AXIS_HEIGHT;
  const lane = snapshot.lanes[Math.floor(y / LANE_HEIGHT)];
  const t = timeAt(event.clientX);
  const segment = lane?.segments.find((s) => s.start <= t && (s.end ?? Infinity) > t);
  const location = segment?.site ?? [...(lane?.segments ?? [])].reverse().find((s) => s.site)?.site;
  if (location !== undefined) vscode.postMessage({ type: "openSource", location });
});

graph.addEventListener("click", (event) => {
  const rect = graph.getBoundingClientRect();
  const x = event.clientX - rect.left;
  const y = event.clientY - rect.top;
  const hit = graphTargets.find((t) => Math.hypot(t.x - x, t.y - y) < 12);
  if (hit?.location !== undefined)
    vscode.postMessage({ type: "openSource", location: hit.location });
});

window.addEventListener("message", (event: MessageEvent<ToWebviewMessage>) => {
  const message = event.data;
  if (message.type === "snapshot") {
    const newSession = snapshot?.title !== message.snapshot.title;
    snapshot = message.snapshot;
    if (newSession) {
      viewStart = 0;
      viewEnd = undefined;
    }
  } else {
    snapshot = undefined;
  }
  save();
  render();
});
window.addEventListener("resize", render);

render();
vscode.postMessage({ type: "ready" });
