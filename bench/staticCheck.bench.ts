// Static analysis speed (`npm run bench:static`): generated workspaces (staticWorkspace.ts) of
// 1,000 files and of 100 k lines. Prints the editor's full analysis (WorkspaceAnalysis: read,
// parse, analyze every file), its re-analysis after one file changes (several kinds of files,
// each edited then restored: median and max), and the wall time of `threadlens check` on the
// same folders. Goals (issue 6): re-analysis < 500 ms, full analysis of 100 k lines < 15 s.
// Then one dense 1.8 MB file (8,500 functions each nesting two of 40 locks, every pair of the
// 60 used inverted somewhere): the analysis plus the re-analysis of its fix edits in this
// process (wall and CPU time), and `threadlens check` on it. Reported, never asserted. Sizes
// scale with BENCH_SCALE.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { WorkspaceAnalysis, type WorkspaceResult } from "../src/analysis/static/workspace.ts";
import { checkSources } from "../src/analysis/static/index.ts";
import { checkFixEdits } from "../src/analysis/static/checkedFixes.ts";
import { median } from "./harness.ts";
import {
  generateDenseFile,
  generateWorkspace,
  type GeneratedWorkspace,
} from "./staticWorkspace.ts";

const scale = Number(process.env["BENCH_SCALE"] ?? "1");
const root = fileURLToPath(new URL("..", import.meta.url));
const cli = path.join(root, "dist/cli.js");

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function ms(start: number): number {
  return performance.now() - start;
}

function fmt(value: number): string {
  return `${value.toFixed(value < 10 ? 1 : 0)} ms`;
}

function full(ws: GeneratedWorkspace, cwd: string): { time: number; result: WorkspaceResult } {
  const start = performance.now();
  const analysis = new WorkspaceAnalysis({ cwd, readFile: readText });
  analysis.add(ws.files);
  const result = analysis.analyze();
  return { time: ms(start), result };
}

/** An edit inside the file's first block: a statement typed into a function or class. */
function edited(text: string, n: number): string {
  const at = text.indexOf("{\n");
  return `${text.slice(0, at + 2)}  void ${n};\n${text.slice(at + 2)}`;
}

function reanalysis(ws: GeneratedWorkspace, cwd: string): void {
  const analysis = new WorkspaceAnalysis({ cwd, readFile: readText });
  analysis.add(ws.files);
  const baseline = analysis.analyze();
  const times: number[] = [];
  for (const [n, { file, kind }] of ws.edits.entries()) {
    const original = readText(file) ?? "";
    const per: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const text of [edited(original, n * 10 + round), original]) {
        const start = performance.now();
        const result = analysis.update(file, text);
        per.push(ms(start));
        if (result.findings.length !== baseline.findings.length) {
          throw new Error(`an edit of ${file} changed the findings`);
        }
      }
    }
    times.push(...per);
    console.log(
      `  re-analysis after an edit of ${kind} (${path.relative(cwd, file)}): median ${fmt(
        median(per),
      )}, max ${fmt(Math.max(...per))}`,
    );
  }
  console.log(
    `re-analysis after one file changes: median ${fmt(median(times))}, max ${fmt(
      Math.max(...times),
    )} over ${times.length} updates (goal < 500 ms)`,
  );
}

function checkWallTime(dir: string): void {
  const start = performance.now();
  const env = { ...process.env };
  delete env["NODE_OPTIONS"];
  const r = spawnSync(process.execPath, [cli, "check", dir, "--json"], {
    env,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const time = ms(start);
  let findings: string;
  try {
    findings = String((JSON.parse(r.stdout) as { findings: unknown[] }).findings.length);
  } catch {
    findings = `no report: ${r.stderr.slice(0, 200)}`;
  }
  console.log(`threadlens check: ${fmt(time)} wall (exit ${r.status}, ${findings} finding(s))`);
}

function workspace(label: string, count: number, functions: number, edits: boolean): void {
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-static-bench-"));
  try {
    const ws = generateWorkspace(dir, count, functions);
    const cwd = dir.split(path.sep).join("/");
    console.log(`\n${label}: ${ws.files.length} files, ${ws.lines} lines`);
    const runs = [full(ws, cwd), full(ws, cwd), full(ws, cwd)];
    const first = runs[0]!.result;
    console.log(
      `full analysis: first ${fmt(runs[0]!.time)}, median of 3 ${fmt(
        median(runs.map((r) => r.time)),
      )} (${first.analyzedFiles.length} files analyzed, ${first.walks} walks, ${
        first.edgeCount
      } edges, ${first.findings.length} finding(s))`,
    );
    if (edits) reanalysis(ws, cwd);
    checkWallTime(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

workspace("1,000-file workspace", Math.round(1000 * scale), 3, true);
// About 110 lines per module: 1,000 modules of 8 functions.
workspace("100 k-line workspace", Math.round(1000 * scale), 8, true);

function denseFile(functions: number, locks: number, pairs: number): void {
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-static-bench-"));
  try {
    const file = generateDenseFile(dir, functions, locks, pairs);
    const cwd = dir.split(path.sep).join("/");
    const size = (readText(file) ?? "").length;
    const cpu = process.cpuUsage();
    const start = performance.now();
    // As `threadlens check` does: the file's own walk serves the incremental fix checks.
    const { findings, incremental } = checkSources({
      files: [file],
      readFile: readText,
      cwd,
      track: true,
    });
    const walked = incremental === undefined ? [] : [incremental];
    const checked = checkFixEdits(findings, { cwd, readFile: readText, walked });
    const time = ms(start);
    const used = process.cpuUsage(cpu);
    const suggestions = checked.flatMap((f) => f.suggestions);
    console.log(
      `\ndense file: ${(size / 1e6).toFixed(1)} MB, ${functions} functions over ${locks} locks ` +
        `(${pairs} pairs): analysis and fix checks ${fmt(time)} wall, ` +
        `${fmt((used.user + used.system) / 1000)} CPU; ${findings.length} finding(s), ` +
        `${suggestions.filter((s) => s.edit !== undefined).length} edit(s) offered, ` +
        `${suggestions.filter((s) => s.message.includes("(no edit: ")).length} withheld`,
    );
    checkWallTime(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

denseFile(Math.round(8500 * scale), 40, 60);
