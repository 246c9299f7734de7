// Shared by the loader and test-runner compatibility tests: the third-party packages, installed
// at pinned versions into .corpus-cache/ by scripts/corpus-setup.mjs (run once per test file,
// cheap when already there), and child processes run plain, under the preload and under
// `threadlens run`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Report } from "../../src/protocol/report.ts";

export const root = fileURLToPath(new URL("../..", import.meta.url));
export const register = path.join(root, "dist/register.mjs");
const cli = path.join(root, "dist/cli.js");
export const cacheDir = process.env["THREADLENS_CORPUS_CACHE"] || path.join(root, ".corpus-cache");

/**
 * "0": a node this test file spawns runs as plain Node would. The test file itself runs under
 * the preload (scripts/test.mjs), which puts the preload in front of the arguments of every
 * node it spawns without it, as a process of its own run (DESIGN 3.3): a "plain" run was then
 * a run under the preload, relaying to the test file's recorder.
 */
const PLAIN = { THREADLENS_CHILD_PRELOAD: "0" };

/** Installs the pinned packages if needed (the npm registry, once: a few minutes). */
export function ensureCorpus(): void {
  const r = spawnSync(process.execPath, [path.join(root, "scripts/corpus-setup.mjs")], {
    encoding: "utf8",
    timeout: 900_000,
    env: { ...process.env, ...PLAIN },
  });
  assert.equal(r.status, 0, `corpus setup failed:\n${r.stdout}\n${r.stderr}`);
}

/** The path of `file` inside installed package `pkg`. */
export function pkg(name: string, file = ""): string {
  return path.join(cacheDir, "node_modules", name, file);
}

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // No colours: the runners' summaries are read with regular expressions.
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", ...extra };
  delete env["FORCE_COLOR"];
  delete env["NODE_TEST_CONTEXT"];
  if (extra["NODE_OPTIONS"] === undefined) delete env["NODE_OPTIONS"];
  return env;
}

export function node(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  timeout = 180_000,
): Run {
  const r = spawnSync(process.execPath, args, {
    cwd,
    env: cleanEnv(env),
    encoding: "utf8",
    timeout,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `node <args>` without threadlens: the baseline a run under the preload is compared with. */
export function plainNode(args: string[], cwd: string, env: Record<string, string> = {}): Run {
  return node(args, cwd, { ...PLAIN, ...env });
}

/** `threadlens run <program> --json -- args`, with `nodeOptions` for the program's node. */
export function threadlensRun(
  program: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Run & { report: Report } {
  const r = node([cli, "run", program, "--json", "--", ...args], cwd, env);
  try {
    return { ...r, report: JSON.parse(r.stdout) as Report };
  } catch {
    return assert.fail(`not a JSON report (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}
