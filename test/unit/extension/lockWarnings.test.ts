// The Threads view's live long-hold and long-wait warnings (the adapter's `threadlens/warning`
// events): one entry per hold or wait, updated in place as its duration grows, the ones still
// lasting first (longest first), then the last few that ended.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { LockWarningBody } from "../../../src/adapter/customProtocol.ts";
import {
  ENDED_KEPT,
  LiveWarnings,
  formatDuration,
  warningLabel,
} from "../../../src/extension/lockWarnings.ts";

const site = { file: "/ws/src/app.ts", line: 12, column: 3 };

function hold(id: string, durationMs: number, active = true): LockWarningBody {
  return {
    id,
    kind: "hold",
    thread: "main",
    lock: "config",
    site,
    durationMs,
    active,
    text: "",
  };
}

describe("LiveWarnings", () => {
  test("an update replaces its warning; its end keeps it, dimmed, under the active ones", () => {
    const warnings = new LiveWarnings();
    warnings.apply(hold("h1", 1200));
    warnings.apply({ ...hold("w1", 300), kind: "wait", thread: "reader" });
    warnings.apply(hold("h1", 2300));
    assert.deepEqual(warnings.list(), [
      {
        id: "h1",
        kind: "hold",
        active: true,
        label: "main has held config for 2.3 s, still held",
        where: "app.ts:12",
        location: site,
      },
      {
        id: "w1",
        kind: "wait",
        active: true,
        label: "reader has waited 300 ms for config, still waiting",
        where: "app.ts:12",
        location: site,
      },
    ]);
    warnings.apply(hold("h1", 3000, false));
    assert.deepEqual(
      warnings.list().map((w) => [w.id, w.active, w.label]),
      [
        ["w1", true, "reader has waited 300 ms for config, still waiting"],
        ["h1", false, "main held config for 3.0 s"],
      ],
    );
    warnings.clear();
    assert.deepEqual(warnings.list(), []);
  });

  test("active ones longest first; only the last ENDED_KEPT ended ones", () => {
    const warnings = new LiveWarnings();
    for (let i = 0; i < ENDED_KEPT + 3; i++) warnings.apply(hold(`ended-${i}`, 100 + i, false));
    warnings.apply(hold("short", 150));
    warnings.apply(hold("long", 15_000));
    const list = warnings.list();
    assert.deepEqual(
      list.map((w) => w.id),
      ["long", "short", ...[7, 6, 5, 4, 3].map((i) => `ended-${i}`)],
    );
    assert.equal(list[0]?.label, "main has held config for 15 s, still held");
  });

  test("a warning without a site has no link", () => {
    const warnings = new LiveWarnings();
    const { site: _site, ...noSite } = hold("h", 500);
    warnings.apply(noSite);
    assert.deepEqual(warnings.list(), [
      { id: "h", kind: "hold", active: true, label: "main has held config for 500 ms, still held" },
    ]);
  });
});

describe("labels", () => {
  test("durations: ms under a second, one decimal under ten, whole seconds above", () => {
    assert.deepEqual([0, 999, 1000, 1249, 9940, 12_400].map(formatDuration), [
      "0 ms",
      "999 ms",
      "1.0 s",
      "1.2 s",
      "9.9 s",
      "12 s",
    ]);
  });

  test("waits that ended", () => {
    assert.equal(
      warningLabel({ ...hold("w", 2500, false), kind: "wait", thread: "reader" }),
      "reader waited 2.5 s for config",
    );
  });
});
