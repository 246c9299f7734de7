// The wait-for graph canvas: the layout of graphLayout.ts (threads as nodes, an arrow per
// waiting thread to the owner of what it waits for, named by the lock), fitted to the view's
// width, the deadlock cycle in red. The canvas is as big as the fitted layout, so nothing is
// cropped; when even the smallest scale is wider than the view, its box scrolls.
import type {
  SourceLocation,
  ThreadsSnapshot,
  WaitForEdge,
} from "../../src/extension/webviewMessages.ts";
import {
  NODE_RADIUS,
  fitGraph,
  layoutGraph,
  toCanvas,
  type GraphFrame,
  type GraphLayout,
  type Point,
} from "./graphLayout.ts";

const CYCLE = "#e5484d";
const NODE = "#3c6e9d";
const TITLE_HEIGHT = 18;

export interface GraphTarget {
  /** A node (circle) or an edge (segment from a to b), in canvas pixels. */
  readonly a: Point;
  readonly b: Point | undefined;
  readonly location: SourceLocation | undefined;
}

/** The graph laid out and fitted to `width` (and `height`) CSS pixels: what drawGraph draws. */
export interface GraphPlan {
  readonly layout: GraphLayout;
  readonly frame: GraphFrame;
  readonly edges: readonly WaitForEdge[];
}

export function planGraph(
  snapshot: ThreadsSnapshot | undefined,
  width: number,
  measure: (text: string) => number,
  height = Infinity,
): GraphPlan {
  const edges = snapshot?.edges ?? [];
  const names = new Map(snapshot?.lanes.map((l) => [l.ident, l.name]));
  const layout = layoutGraph(edges, names, measure);
  const frame =
    edges.length === 0
      ? { width, height: TITLE_HEIGHT + 4, scale: 1, originX: 0, originY: TITLE_HEIGHT }
      : fitGraph(layout.bounds, width, TITLE_HEIGHT, height);
  return { layout, frame, edges };
}

export function drawGraph(
  ctx: CanvasRenderingContext2D,
  plan: GraphPlan,
  foreground: string,
): GraphTarget[] {
  const { layout, frame, edges } = plan;
  ctx.fillStyle = foreground;
  if (edges.length === 0) {
    ctx.fillText("Wait-for graph: no thread waits for another.", 4, 10);
    return [];
  }
  ctx.fillText("Wait-for graph (red: deadlock cycle)", 4, 10);
  const canvas = (p: Point): Point => toCanvas(frame, layout.bounds, p);
  const targets: GraphTarget[] = [];
  // Layout coordinates from here: the frame's scale and origin map them onto the canvas.
  ctx.save();
  ctx.translate(frame.originX, frame.originY);
  ctx.scale(frame.scale, frame.scale);
  ctx.translate(-layout.bounds.x, -layout.bounds.y);
  ctx.textAlign = "center";
  layout.edges.forEach((e, i) => {
    // layoutGraph keeps the edges' order: layout edge i is wait-for edge i.
    const source = edges[i];
    const inCycle = source?.inCycle === true;
    const color = inCycle ? CYCLE : foreground;
    ctx.strokeStyle = color;
    ctx.lineWidth = inCycle ? 2.5 : 1;
    if (e.loop) loop(ctx, e.a, e.b);
    else arrow(ctx, e.a, e.b);
    ctx.fillStyle = color;
    ctx.fillText(e.label, e.labelAt.x, e.labelAt.y);
    targets.push({ a: canvas(e.a), b: canvas(e.b), location: source?.site });
  });
  for (const n of layout.nodes) {
    const out = edges.find((e) => e.from === n.id);
    ctx.fillStyle = out?.inCycle === true ? CYCLE : NODE;
    ctx.beginPath();
    ctx.arc(n.at.x, n.at.y, NODE_RADIUS, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillStyle = foreground;
    const labelCentre = n.labelBox.y + n.labelBox.height / 2;
    ctx.fillText(n.label, n.at.x, labelCentre);
    targets.unshift({ a: canvas(n.at), b: undefined, location: out?.site });
  }
  ctx.restore();
  return targets;
}

function arrow(ctx: CanvasRenderingContext2D, a: Point, b: Point): void {
  const angle = Math.atan2(b.y - a.y, b.x - a.x);
  ctx.beginPath();
  ctx.moveTo(a.x, a.y);
  ctx.lineTo(b.x, b.y);
  ctx.moveTo(b.x - 7 * Math.cos(angle - 0.4), b.y - 7 * Math.sin(angle - 0.4));
  ctx.lineTo(b.x, b.y);
  ctx.lineTo(b.x - 7 * Math.cos(angle + 0.4), b.y - 7 * Math.sin(angle + 0.4));
  ctx.stroke();
}

/** A thread waiting for itself: an arc from a over to b, with its head at b. */
function loop(ctx: CanvasRenderingContext2D, a: Point, b: Point): void {
  const r = Math.abs(b.x - a.x) / 2;
  ctx.beginPath();
  ctx.arc((a.x + b.x) / 2, a.y, r, Math.PI, 0);
  ctx.moveTo(b.x - 4, b.y - 6);
  ctx.lineTo(b.x, b.y);
  ctx.lineTo(b.x + 4, b.y - 6);
  ctx.stroke();
}

/** The node (within its radius) or else the edge (within 5 px) under a point. */
export function graphHit(
  targets: readonly GraphTarget[],
  x: number,
  y: number,
): GraphTarget | undefined {
  return (
    targets.find((t) => t.b === undefined && Math.hypot(t.a.x - x, t.a.y - y) <= NODE_RADIUS + 4) ??
    targets.find((t) => t.b !== undefined && distanceToSegment({ x, y }, t.a, t.b) <= 5)
  );
}

function distanceToSegment(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}
