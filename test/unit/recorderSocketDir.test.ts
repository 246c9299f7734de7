// The root recorder's socket folders (src/runtime/recorderSocketDir.ts): a root killed by
// SIGKILL leaves its folder; the next root removes it, and nothing else.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { makeSocketDir, sweepOrphanedSocketDirs } from "../../src/runtime/recorderSocketDir.ts";

/**
 * The pid of a process that has ended (spawnSync returns once it has been reaped). Plain node
 * (THREADLENS_CHILD_PRELOAD=0): under the preload this file runs with, a node it spawns would
 * get the preload too, as a process of this file's run, whose recorder it would start.
 */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "0"], {
    env: { ...process.env, THREADLENS_CHILD_PRELOAD: "0" },
  });
  assert.equal(child.status, 0);
  return child.pid ?? assert.fail("no pid");
}

test("the folders of roots that no longer run are removed; live roots' and other folders stay", () => {
  const base = mkdtempSync(path.join(tmpdir(), "tl-sweep-"));
  try {
    const dead = path.join(base, `threadlens-run-${deadPid()}-aB3xZ9`);
    const live = path.join(base, `threadlens-run-${process.ppid}-Qw12Er`);
    const cache = path.join(base, "threadlens-ts-cache-0");
    const odd = path.join(base, `threadlens-run-${deadPid()}-toolongname`);
    for (const dir of [dead, live, cache, odd]) {
      mkdirSync(dir);
      writeFileSync(path.join(dir, "recorder.sock"), "");
    }
    assert.deepEqual(sweepOrphanedSocketDirs(base), [dead]);
    assert.equal(existsSync(dead), false);
    for (const dir of [live, cache, odd]) assert.equal(existsSync(dir), true, dir);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test("a root's own folder carries its pid and survives its own sweep", () => {
  const base = mkdtempSync(path.join(tmpdir(), "tl-sweep-"));
  try {
    const own = makeSocketDir(base);
    assert.match(path.basename(own), new RegExp(`^threadlens-run-${process.pid}-[A-Za-z0-9]{6}$`));
    assert.deepEqual(sweepOrphanedSocketDirs(base), []);
    assert.equal(existsSync(own), true);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
