// The Threads view's wait-for graph layout (media/webview/graphLayout.ts): every part (nodes,
// arrows, thread names, lock names) inside the layout's bounds, names never over one another,
// and the fitted frame holding the whole layout at any width: shrunk to fit, never below the
// smallest readable scale, wider than the view (its box scrolls) only then.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  MIN_SCALE,
  NODE_RADIUS,
  fitGraph,
  layoutGraph,
  toCanvas,
  type Box,
  type GraphEdgeInput,
  type GraphLayout,
} from "../../../media/webview/graphLayout.ts";

/** About the width of 11 px sans-serif. */
const measure = (text: string): number => text.length * 6.5;

function inside(inner: Box, outer: Box): boolean {
  const eps = 1e-6;
  return (
    inner.x >= outer.x - eps &&
    inner.y >= outer.y - eps &&
    inner.x + inner.width <= outer.x + outer.width + eps &&
    inner.y + inner.height <= outer.y + outer.height + eps
  );
}

function overlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function names(count: number, name: (i: number) => string): Map<number, string> {
  return new Map(Array.from({ length: count }, (_, i) => [i + 1, name(i + 1)]));
}

/** A cycle 1 → 2 → … → n → 1, each edge through lock-i. */
function cycle(count: number): GraphEdgeInput[] {
  return Array.from({ length: count }, (_, i) => ({
    from: i + 1,
    to: ((i + 1) % count) + 1,
    lock: `lock-${i + 1}`,
  }));
}

/**
 * What drawGraph paints, rebuilt here from the layout's points and texts (not from its boxes):
 * each circle, each name centred above its node's circle, each lock name centred at its point,
 * each arrow with its 7 px head; all of it inside the bounds.
 */
function assertWithinBounds(layout: GraphLayout): void {
  const text = (x: number, y: number, label: string): Box => ({
    x: x - measure(label) / 2,
    y: y - 6.5,
    width: measure(label),
    height: 13,
  });
  const painted: Box[] = [];
  for (const n of layout.nodes) {
    painted.push({
      x: n.at.x - NODE_RADIUS,
      y: n.at.y - NODE_RADIUS,
      width: 2 * NODE_RADIUS,
      height: 2 * NODE_RADIUS,
    });
    painted.push(text(n.at.x, n.at.y - NODE_RADIUS - 8, n.label));
  }
  for (const e of layout.edges) {
    painted.push(text(e.labelAt.x, e.labelAt.y, e.label));
    for (const p of [e.a, e.b]) painted.push({ x: p.x - 7, y: p.y - 7, width: 14, height: 14 });
  }
  for (const part of painted)
    assert.ok(inside(part, layout.bounds), `${JSON.stringify(part)} outside the bounds`);
}

function assertNamesApart(layout: GraphLayout): void {
  const boxes = layout.nodes.map((n) => n.labelBox);
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++)
      assert.ok(!overlap(boxes[i] as Box, boxes[j] as Box), `names ${i} and ${j} overlap`);
}

describe("layoutGraph", () => {
  test("S1's two threads waiting for each other: both names and both locks apart", () => {
    const edges = [
      { from: 1, to: 2, lock: "lockB" },
      { from: 2, to: 1, lock: "lockA" },
    ];
    const layout = layoutGraph(
      edges,
      names(2, (i) => `worker-${i}`),
      measure,
    );
    assert.equal(layout.nodes.length, 2);
    assert.equal(layout.edges.length, 2);
    assertWithinBounds(layout);
    const labels = [...layout.nodes.map((n) => n.labelBox), ...layout.edges.map((e) => e.labelBox)];
    for (let i = 0; i < labels.length; i++)
      for (let j = i + 1; j < labels.length; j++)
        assert.ok(!overlap(labels[i] as Box, labels[j] as Box), `labels ${i} and ${j} overlap`);
    // The two arrows go opposite ways on either side of the line between the nodes.
    const [ab, ba] = layout.edges;
    assert.ok(ab && ba && Math.sign(ab.labelAt.y) === -Math.sign(ba.labelAt.y));
  });

  test("S1 as the Threads view draws it: no name or lock name over another or over a node", () => {
    // main joins worker-1, which waits for lockA behind the cycle worker-2 ↔ worker-5, as does
    // worker-4 (the join edge is named by the joined thread).
    const edges = [
      { from: 1, to: 2, lock: "worker-1" },
      { from: 2, to: 3, lock: "lockA" },
      { from: 5, to: 3, lock: "lockA" },
      { from: 3, to: 6, lock: "lockB" },
      { from: 6, to: 3, lock: "lockA" },
    ];
    const threads = new Map([
      [1, "main"],
      [2, "worker-1"],
      [3, "worker-2"],
      [5, "worker-4"],
      [6, "worker-5"],
    ]);
    const layout = layoutGraph(edges, threads, measure);
    assertWithinBounds(layout);
    const labels = [...layout.nodes.map((n) => n.labelBox), ...layout.edges.map((e) => e.labelBox)];
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++)
        assert.ok(!overlap(labels[i] as Box, labels[j] as Box), `labels ${i} and ${j} overlap`);
      for (const n of layout.nodes) {
        const circle = {
          x: n.at.x - NODE_RADIUS,
          y: n.at.y - NODE_RADIUS,
          width: 2 * NODE_RADIUS,
          height: 2 * NODE_RADIUS,
        };
        assert.ok(!overlap(labels[i] as Box, circle), `label ${i} over ${n.label}'s node`);
      }
    }
  });

  test("long names push the nodes apart instead of running into each other", () => {
    const long = (i: number) => `worker-thread-with-a-rather-long-name-${i}`;
    for (const count of [2, 3, 5, 12]) {
      const layout = layoutGraph(cycle(count), names(count, long), measure);
      assertWithinBounds(layout);
      assertNamesApart(layout);
      assert.ok(layout.bounds.width >= measure(long(1)), `${count}`);
    }
  });

  test("a hundred threads on a circle: all inside, names apart", () => {
    const layout = layoutGraph(
      cycle(100),
      names(100, (i) => `w${i}`),
      measure,
    );
    assert.equal(layout.nodes.length, 100);
    assertWithinBounds(layout);
    assertNamesApart(layout);
  });

  test("a thread waiting for itself: a loop with its lock above its name", () => {
    const layout = layoutGraph(
      [{ from: 1, to: 1, lock: "guard" }],
      names(1, () => "main"),
      measure,
    );
    assertWithinBounds(layout);
    const [edge] = layout.edges;
    const [node] = layout.nodes;
    assert.ok(edge?.loop && node);
    assert.ok(edge.labelBox.y + edge.labelBox.height <= node.labelBox.y + 1e-6);
  });

  test("no edges: an empty layout", () => {
    const layout = layoutGraph([], new Map(), measure);
    assert.deepEqual([layout.nodes, layout.edges], [[], []]);
  });
});

describe("fitGraph", () => {
  const layout = layoutGraph(
    cycle(12),
    names(12, (i) => `worker-${i}`),
    measure,
  );

  test("at any width the whole layout is on the canvas", () => {
    for (const available of [40, 120, 200, 300, 500, 1200]) {
      const frame = fitGraph(layout.bounds, available, 18);
      const corners = [
        toCanvas(frame, layout.bounds, { x: layout.bounds.x, y: layout.bounds.y }),
        toCanvas(frame, layout.bounds, {
          x: layout.bounds.x + layout.bounds.width,
          y: layout.bounds.y + layout.bounds.height,
        }),
      ];
      for (const c of corners) {
        assert.ok(c.x >= -1e-6 && c.x <= frame.width + 1e-6, `${available}: x ${c.x}`);
        assert.ok(c.y >= 18 - 1e-6 && c.y <= frame.height + 1e-6, `${available}: y ${c.y}`);
      }
      for (const n of layout.nodes) {
        const p = toCanvas(frame, layout.bounds, n.at);
        assert.ok(p.x - NODE_RADIUS * frame.scale >= 0 && p.x <= frame.width, `${available}`);
      }
    }
  });

  test("full size when it fits; shrunk to the width when it can be; scrolls below that", () => {
    const full = layout.bounds.width;
    assert.deepEqual(
      [fitGraph(layout.bounds, full + 50, 18).scale, fitGraph(layout.bounds, full + 50, 18).width],
      [1, full + 50],
    );
    const shrunk = fitGraph(layout.bounds, Math.ceil(full * 0.9), 18);
    assert.ok(Math.abs(shrunk.scale - Math.ceil(full * 0.9) / full) < 1e-9);
    assert.equal(shrunk.width, Math.ceil(full * 0.9));
    const narrow = fitGraph(layout.bounds, 100, 18);
    assert.equal(narrow.scale, MIN_SCALE);
    assert.equal(narrow.width, Math.ceil(full * MIN_SCALE));
    assert.ok(narrow.width > 100, "wider than the view: its box scrolls");
    assert.equal(narrow.height, Math.ceil(18 + layout.bounds.height * MIN_SCALE));
  });

  test("a height limit shrinks it too, within the same floor", () => {
    const wide = layout.bounds.width + 100;
    const limit = 18 + layout.bounds.height * 0.8;
    const short = fitGraph(layout.bounds, wide, 18, limit);
    assert.ok(Math.abs(short.scale - 0.8) < 1e-9, `${short.scale}`);
    assert.ok(short.height <= Math.ceil(limit));
    assert.equal(fitGraph(layout.bounds, wide, 18, 40).scale, MIN_SCALE);
    assert.equal(fitGraph(layout.bounds, wide, 18, 10_000).scale, 1);
  });
});
