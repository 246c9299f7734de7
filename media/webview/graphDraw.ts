// The wait-for graph canvas: threads as nodes on a circle with room for each (a canvas wider
// than the view, scrolled by its box, when there are many threads), an arrow per waiting
// thread to the owner of what it waits for, the deadlock cycle in red. Edges between the same
// two threads in both directions are drawn apart so both labels stay readable.
import type {
  SourceLocation,
  ThreadsSnapshot,
  WaitForEdge,
} from "../../src/extension/webviewMessages.ts";

const CYCLE = "#e5484d";
const NODE = "#3c6e9d";
const NODE_RADIUS = 8;
/** Room per node along the circle, and around it for names. */
const NODE_SPACING = 30;
const MARGIN_X = 70;
const MARGIN_Y = 26;
const TITLE_HEIGHT = 18;

interface Point {
  readonly x: number;
  readonly y: number;
}

export interface GraphTarget {
  /** A node (circle) or an edge (segment from a to b). */
  readonly a: Point;
  readonly b: Point | undefined;
  readonly location: SourceLocation | undefined;
}

/**
 * The canvas the graph needs at `width` CSS pixels: two threads side by side, more on a circle
 * with room for each; wider than `width` (its box scrolls) when the circle does not fit.
 */
export function graphSize(
  snapshot: ThreadsSnapshot | undefined,
  width: number,
): { width: number; height: number } {
  const nodes = nodeIds(snapshot?.edges ?? []).length;
  if (nodes === 0) return { width, height: TITLE_HEIGHT + 4 };
  if (nodes <= 2) return { width, height: TITLE_HEIGHT + 2 * MARGIN_Y + 24 };
  const radius = Math.max(40, (nodes * NODE_SPACING) / (2 * Math.PI));
  return {
    width: Math.max(width, 2 * (radius + MARGIN_X)),
    height: 2 * (radius + MARGIN_Y) + TITLE_HEIGHT,
  };
}

function nodeIds(edges: readonly WaitForEdge[]): number[] {
  return [...new Set(edges.flatMap((e) => [e.from, e.to]))];
}

export function drawGraph(
  ctx: CanvasRenderingContext2D,
  snapshot: ThreadsSnapshot | undefined,
  width: number,
  height: number,
  foreground: string,
): GraphTarget[] {
  const edges = snapshot?.edges ?? [];
  ctx.fillStyle = foreground;
  if (edges.length === 0) {
    ctx.fillText("Wait-for graph: no thread waits for another.", 4, 10);
    return [];
  }
  ctx.fillText("Wait-for graph (red: deadlock cycle)", 4, 10);
  const ids = nodeIds(edges);
  const names = new Map(snapshot?.lanes.map((l) => [l.ident, l.name]));
  const cx = width / 2;
  const cy = TITLE_HEIGHT + (height - TITLE_HEIGHT) / 2;
  const rx = Math.max(20, width / 2 - MARGIN_X);
  const ry = Math.max(20, (height - TITLE_HEIGHT) / 2 - MARGIN_Y);
  const at = new Map<number, Point>(
    ids.map((id, i) => {
      // Two nodes side by side; more on an ellipse filling the box.
      const a = ids.length === 2 ? Math.PI * (i + 1) : (2 * Math.PI * i) / ids.length - Math.PI / 2;
      return [id, { x: cx + rx * Math.cos(a), y: cy + ry * Math.sin(a) }];
    }),
  );
  const targets: GraphTarget[] = [];
  for (const e of edges) {
    const from = at.get(e.from);
    const to = at.get(e.to);
    if (from === undefined || to === undefined) continue;
    const both = edges.some((o) => o.from === e.to && o.to === e.from);
    const [a, b] = both ? offset(from, to, 6) : [from, to];
    const color = e.inCycle ? CYCLE : foreground;
    ctx.strokeStyle = color;
    ctx.lineWidth = e.inCycle ? 2.5 : 1;
    arrow(ctx, a, b);
    ctx.fillStyle = color;
    const [lx, ly] = labelPoint(a, b);
    ctx.textAlign = "center";
    ctx.fillText(e.lock, lx, ly);
    ctx.textAlign = "left";
    targets.push({ a, b, location: e.site });
  }
  for (const id of ids) {
    const p = at.get(id);
    if (p === undefined) continue;
    const out = edges.find((e) => e.from === id);
    ctx.fillStyle = out?.inCycle === true ? CYCLE : NODE;
    ctx.beginPath();
    ctx.arc(p.x, p.y, NODE_RADIUS, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillStyle = foreground;
    ctx.textAlign = "center";
    ctx.fillText(names.get(id) ?? `#${id}`, p.x, p.y - NODE_RADIUS - 7);
    ctx.textAlign = "left";
    targets.unshift({ a: p, b: undefined, location: out?.site });
  }
  return targets;
}

/** The segment a→b moved `by` pixels to its right (the reverse edge goes to the other side). */
function offset(a: Point, b: Point, by: number): [Point, Point] {
  const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
  const nx = ((b.y - a.y) / len) * by;
  const ny = (-(b.x - a.x) / len) * by;
  return [
    { x: a.x + nx, y: a.y + ny },
    { x: b.x + nx, y: b.y + ny },
  ];
}

/** A third of the way from a, pushed off the line to the edge's own side. */
function labelPoint(a: Point, b: Point): [number, number] {
  const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
  const nx = (b.y - a.y) / len;
  const ny = -(b.x - a.x) / len;
  return [a.x + (b.x - a.x) / 3 + nx * 10, a.y + (b.y - a.y) / 3 + ny * 10];
}

function arrow(ctx: CanvasRenderingContext2D, a: Point, b: Point): void {
  const angle = Math.atan2(b.y - a.y, b.x - a.x);
  const gap = NODE_RADIUS + 2;
  const tip = { x: b.x - gap * Math.cos(angle), y: b.y - gap * Math.sin(angle) };
  ctx.beginPath();
  ctx.moveTo(a.x + gap * Math.cos(angle), a.y + gap * Math.sin(angle));
  ctx.lineTo(tip.x, tip.y);
  ctx.moveTo(tip.x - 7 * Math.cos(angle - 0.4), tip.y - 7 * Math.sin(angle - 0.4));
  ctx.lineTo(tip.x, tip.y);
  ctx.lineTo(tip.x - 7 * Math.cos(angle + 0.4), tip.y - 7 * Math.sin(angle + 0.4));
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
