// Where the wait-for graph's parts go (pure: no DOM, the unit tests call it): the threads as
// nodes, two side by side, more on a circle wide enough that neighbouring names never overlap;
// each name above its node, each edge's lock name beside its arrow. The layout's `bounds` hold
// every part (circles, arrows, names, labels), and fitGraph scales it into the width there is:
// down to MIN_SCALE, below that the canvas is wider than its box, which scrolls. Nothing is cut.

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface LayoutNode {
  readonly id: number;
  readonly at: Point;
  readonly label: string;
  readonly labelBox: Box;
}

export interface LayoutEdge {
  readonly from: number;
  readonly to: number;
  /** The arrow's ends: from the edge of one circle to the edge of the other. */
  readonly a: Point;
  readonly b: Point;
  /** A thread waiting for a lock it holds itself: a loop above its node. */
  readonly loop: boolean;
  readonly label: string;
  /** The label's centre. */
  readonly labelAt: Point;
  readonly labelBox: Box;
}

export interface GraphLayout {
  readonly nodes: readonly LayoutNode[];
  readonly edges: readonly LayoutEdge[];
  /** Holds every part, with PADDING around. */
  readonly bounds: Box;
}

export interface GraphEdgeInput {
  readonly from: number;
  readonly to: number;
  readonly lock: string;
}

export const NODE_RADIUS = 8;
/** Text is 11 px: a label's box is this tall. */
export const TEXT_HEIGHT = 13;
/** Between a node's top and its name's baseline centre. */
const NAME_GAP = 8;
/** Between neighbouring names on the circle, and around the whole. */
const LABEL_SPACING = 16;
const PADDING = 6;
/** Two threads: at least this far apart, more when their names or the locks need it. */
const MIN_PAIR_DISTANCE = 120;
const MIN_RADIUS = 70;
/** Reverse edges between the same two threads are drawn this far apart. */
export const PARALLEL_OFFSET = 6;
/** An edge label's centre, off its line towards the edge's own side. */
const LABEL_OFFSET = 10;
/** fitGraph scales down to this, and no further (text below ~8 px cannot be read). */
export const MIN_SCALE = 0.75;

export function nodeIds(edges: readonly GraphEdgeInput[]): number[] {
  return [...new Set(edges.flatMap((e) => [e.from, e.to]))];
}

function box(centre: Point, width: number, height: number): Box {
  return { x: centre.x - width / 2, y: centre.y - height / 2, width, height };
}

/** The segment a→b moved `by` to its right (the reverse edge goes to the other side). */
function offset(a: Point, b: Point, by: number): [Point, Point] {
  const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
  const nx = ((b.y - a.y) / len) * by;
  const ny = (-(b.x - a.x) / len) * by;
  return [
    { x: a.x + nx, y: a.y + ny },
    { x: b.x + nx, y: b.y + ny },
  ];
}

/** From the edge of the circle at a to the edge of the circle at b. */
function trim(a: Point, b: Point): [Point, Point] {
  const angle = Math.atan2(b.y - a.y, b.x - a.x);
  const gap = NODE_RADIUS + 2;
  return [
    { x: a.x + gap * Math.cos(angle), y: a.y + gap * Math.sin(angle) },
    { x: b.x - gap * Math.cos(angle), y: b.y - gap * Math.sin(angle) },
  ];
}

/** Node centres: two side by side, one alone, more on a circle. */
function positions(count: number, nameWidth: number, lockWidth: number): Point[] {
  if (count === 1) return [{ x: 0, y: 0 }];
  if (count === 2) {
    // Names side by side, and lock names between them (clear of both names).
    const d = Math.max(
      MIN_PAIR_DISTANCE,
      nameWidth + lockWidth + LABEL_SPACING,
      lockWidth + 4 * NODE_RADIUS,
    );
    return [
      { x: -d / 2, y: 0 },
      { x: d / 2, y: 0 },
    ];
  }
  // Neighbours' names (each centred on its node) apart by at least LABEL_SPACING.
  const chord = Math.max(nameWidth + LABEL_SPACING, 2 * NODE_RADIUS + TEXT_HEIGHT + 4);
  const radius = Math.max(MIN_RADIUS, chord / (2 * Math.sin(Math.PI / count)));
  return Array.from({ length: count }, (_, i) => {
    const angle = (2 * Math.PI * i) / count - Math.PI / 2;
    return { x: radius * Math.cos(angle), y: radius * Math.sin(angle) };
  });
}

export function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function union(boxes: readonly Box[]): Box {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const b of boxes) {
    minX = Math.min(minX, b.x);
    minY = Math.min(minY, b.y);
    maxX = Math.max(maxX, b.x + b.width);
    maxY = Math.max(maxY, b.y + b.height);
  }
  if (!Number.isFinite(minX)) return { x: 0, y: 0, width: 0, height: 0 };
  return {
    x: minX - PADDING,
    y: minY - PADDING,
    width: maxX - minX + 2 * PADDING,
    height: maxY - minY + 2 * PADDING,
  };
}

/** Every part's box: what `bounds` must hold. */
export function partBoxes(layout: Pick<GraphLayout, "nodes" | "edges">): Box[] {
  const boxes: Box[] = [];
  for (const n of layout.nodes) {
    boxes.push(box(n.at, 2 * NODE_RADIUS, 2 * NODE_RADIUS), n.labelBox);
  }
  for (const e of layout.edges) {
    boxes.push(e.labelBox);
    // A loop's arc rises its radius above its ends.
    if (e.loop)
      boxes.push({ x: e.a.x, y: e.a.y - NODE_RADIUS, width: e.b.x - e.a.x, height: NODE_RADIUS });
    // The arrow's line, and its head (7 px wings) at b.
    const minX = Math.min(e.a.x, e.b.x) - 7;
    const minY = Math.min(e.a.y, e.b.y) - 7;
    boxes.push({
      x: minX,
      y: minY,
      width: Math.max(e.a.x, e.b.x) + 7 - minX,
      height: Math.max(e.a.y, e.b.y) + 7 - minY,
    });
  }
  return boxes;
}

/** Lays the graph out in its own coordinates; `measure` gives a text's width in pixels. */
export function layoutGraph(
  edges: readonly GraphEdgeInput[],
  names: ReadonlyMap<number, string>,
  measure: (text: string) => number,
): GraphLayout {
  const ids = nodeIds(edges);
  const labels = ids.map((id) => names.get(id) ?? `#${id}`);
  const nameWidth = Math.max(0, ...labels.map(measure));
  const lockWidth = Math.max(0, ...edges.map((e) => measure(e.lock)));
  const centres = positions(ids.length, nameWidth, lockWidth);
  const at = new Map(ids.map((id, i) => [id, centres[i] ?? { x: 0, y: 0 }]));
  const nodes: LayoutNode[] = ids.map((id, i) => {
    const p = at.get(id) ?? { x: 0, y: 0 };
    const label = labels[i] ?? "";
    const above = { x: p.x, y: p.y - NODE_RADIUS - NAME_GAP };
    return { id, at: p, label, labelBox: box(above, measure(label), TEXT_HEIGHT) };
  });
  // What an edge's label must not cover: the names and the circles.
  const occupied = nodes.flatMap((n) => [n.labelBox, box(n.at, 2 * NODE_RADIUS, 2 * NODE_RADIUS)]);
  const laid: LayoutEdge[] = [];
  for (const e of edges) {
    const from = at.get(e.from);
    const to = at.get(e.to);
    if (from === undefined || to === undefined) continue;
    const width = measure(e.lock);
    if (e.from === e.to) {
      // A loop over the node's name: the lock's name above it.
      const top = from.y - NODE_RADIUS - NAME_GAP - TEXT_HEIGHT;
      const a = { x: from.x - NODE_RADIUS, y: top };
      const b = { x: from.x + NODE_RADIUS, y: top };
      const labelAt = { x: from.x, y: top - TEXT_HEIGHT };
      laid.push({
        ...e,
        a,
        b,
        loop: true,
        label: e.lock,
        labelAt,
        labelBox: box(labelAt, width, TEXT_HEIGHT),
      });
      continue;
    }
    const both = edges.some((o) => o.from === e.to && o.to === e.from);
    const [p, q] = both ? offset(from, to, PARALLEL_OFFSET) : [from, to];
    const [a, b] = trim(p, q);
    const len = Math.hypot(q.x - p.x, q.y - p.y) || 1;
    const nx = (q.y - p.y) / len;
    const ny = -(q.x - p.x) / len;
    // Pushed off the line to the edge's own side by its half height or width, whichever the
    // line meets; along it, the first place clear of every name, circle and label laid so far
    // (two threads: mid-way first; more: a third of the way, nearer its waiter); else the first.
    const push = LABEL_OFFSET + Math.abs(nx) * (width / 2) + Math.abs(ny) * (TEXT_HEIGHT / 2) - 6;
    // An edge with no reverse twin may also take the other side when its own is crowded.
    // Then the same again a line further out, up to three lines.
    const alongs = ids.length === 2 ? [0.5, 0.35, 0.65] : [1 / 3, 0.5, 0.25, 0.6, 0.4, 0.7, 0.2];
    const candidates = [0, 1, 2, 3].flatMap((level) =>
      (both ? [1] : [1, -1]).flatMap((side) =>
        alongs.map((along) => ({
          x: p.x + (q.x - p.x) * along + side * nx * (push + level * (TEXT_HEIGHT + 2)),
          y: p.y + (q.y - p.y) * along + side * ny * (push + level * (TEXT_HEIGHT + 2)),
        })),
      ),
    );
    const taken = [...occupied, ...laid.map((l) => l.labelBox)];
    const labelAt =
      candidates.find((c) => !taken.some((t) => overlaps(box(c, width, TEXT_HEIGHT), t))) ??
      (candidates[0] as Point);
    laid.push({
      ...e,
      a,
      b,
      loop: false,
      label: e.lock,
      labelAt,
      labelBox: box(labelAt, width, TEXT_HEIGHT),
    });
  }
  return { nodes, edges: laid, bounds: union(partBoxes({ nodes, edges: laid })) };
}

/** How the layout is drawn: canvas size (CSS pixels) and the map from layout to canvas. */
export interface GraphFrame {
  readonly width: number;
  readonly height: number;
  readonly scale: number;
  /** Canvas point of the layout's bounds' top-left corner. */
  readonly originX: number;
  readonly originY: number;
}

/**
 * Scales the layout into `available` CSS pixels of width and, when given, `availableHeight` of
 * height (title line of `top` pixels included): never up, never below MIN_SCALE (then larger
 * than its box, which scrolls); centred across.
 */
export function fitGraph(
  bounds: Box,
  available: number,
  top: number,
  availableHeight = Infinity,
): GraphFrame {
  const room = Math.max(1, available);
  const roomDown = Math.max(1, availableHeight - top);
  const wanted = Math.min(1, room / bounds.width, roomDown / bounds.height);
  const scale = Math.max(MIN_SCALE, wanted);
  const drawnWidth = bounds.width * scale;
  const width = Math.max(room, Math.ceil(drawnWidth));
  return {
    width,
    height: Math.ceil(top + bounds.height * scale),
    scale,
    originX: (width - drawnWidth) / 2,
    originY: top,
  };
}

/** A layout point on the canvas. */
export function toCanvas(frame: GraphFrame, bounds: Box, p: Point): Point {
  return {
    x: frame.originX + (p.x - bounds.x) * frame.scale,
    y: frame.originY + (p.y - bounds.y) * frame.scale,
  };
}
