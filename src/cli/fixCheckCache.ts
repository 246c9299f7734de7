// The fix check of `threadlens run` (DESIGN 5.4: every edit re-analysed before it is offered)
// made once per text and edits: its verdicts are kept on disk, keyed by everything they depend
// on (the edited files' texts, the edits, the findings' locks, the directory, the builds of
// threadlens and of the TypeScript compiler), so that running the same program again (a
// replay, a rerun of a flaky deadlock) reports the same checked edits without loading the
// compiler, which costs each such run about a tenth of a second of CPU time. An entry holds
// its whole key and is used only when that key is the same, not just its hash.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { writeFileSync } from "node:fs";
import path from "node:path";
import {
  fixCandidates,
  withFixVerdicts,
  type Candidate,
  type FixVerdicts,
} from "../analysis/fixCandidates.ts";
import type { Finding } from "../protocol/report.ts";
import { hash32 } from "../protocol/schedule.ts";

/** What checks the edits (static/checkedFixes.ts' fixVerdicts, with the compiler loaded). */
export type CheckEdits = (
  byFile: ReadonlyMap<string, readonly Candidate[]>,
  options: { readonly cwd: string; readonly readFile: (file: string) => string | undefined },
) => { readonly verdicts: FixVerdicts; readonly complete: boolean };

export interface FixCheckCache {
  /** The folder of the entries. */
  readonly dir: string;
  /** Files whose build the verdicts depend on (threadlens' own, the compiler's). */
  readonly builds: readonly string[];
  /** Loads the checker (and the compiler) when a check is not in the cache. */
  readonly load: () => Promise<CheckEdits>;
}

/** Entries kept: past this, writing one removes the older half. */
const MAX_ENTRIES = 400;
const PREFIX = "fixcheck-";

function buildOf(file: string): string {
  try {
    const stat = statSync(file);
    return `${file}:${stat.size}:${Math.floor(stat.mtimeMs)}`;
  } catch {
    return `${file}:missing`;
  }
}

type Entry = { readonly key: string; readonly verdicts: [string, string | null][] };

function readEntry(file: string, key: string): FixVerdicts | undefined {
  try {
    const entry = JSON.parse(readFileSync(file, "utf8")) as Entry;
    if (entry.key !== key) return undefined;
    return new Map(entry.verdicts.map(([k, why]) => [k, why ?? undefined]));
  } catch {
    return undefined;
  }
}

function prune(dir: string): void {
  const entries = readdirSync(dir)
    .filter((name) => name.startsWith(PREFIX) && name.endsWith(".json"))
    .map((name) => path.join(dir, name));
  if (entries.length <= MAX_ENTRIES) return;
  const byAge = entries
    .map((file) => ({ file, at: statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => a.at - b.at);
  for (const { file } of byAge.slice(0, byAge.length / 2)) rmSync(file, { force: true });
}

function writeEntry(dir: string, file: string, entry: Entry): void {
  try {
    mkdirSync(dir, { recursive: true });
    prune(dir);
    const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(temp, JSON.stringify(entry));
    renameSync(temp, file);
  } catch {
    // A cache that cannot be written only costs the next run its check.
  }
}

/**
 * `findings` with every edit they offer checked (checkedFixes.ts' checkFixEdits), from the
 * cache when the same check was made before. The compiler is loaded only for a check that is
 * not there; verdicts that ran out of time are not kept.
 */
export async function checkFixEditsOnce(
  findings: readonly Finding[],
  options: { readonly cwd: string; readonly readFile: (file: string) => string | undefined },
  cache: FixCheckCache,
): Promise<Finding[]> {
  const byFile = fixCandidates(findings, options.cwd);
  if (byFile.size === 0) return [...findings];
  const texts = new Map<string, string | undefined>();
  for (const file of byFile.keys()) texts.set(file, options.readFile(file));
  const key = JSON.stringify({
    builds: cache.builds.map(buildOf),
    cwd: options.cwd,
    files: [...byFile].map(([file, candidates]) => [
      file,
      texts.get(file) ?? null,
      candidates.map((c) => [c.finding, c.suggestion, c.key, c.locks, c.edit]),
    ]),
  });
  const name = `${PREFIX}${hash32(1, key).toString(36)}${hash32(2, key).toString(36)}.json`;
  const file = path.join(cache.dir, name);
  const cached = readEntry(file, key);
  if (cached !== undefined) return withFixVerdicts(findings, cached);
  const check = await cache.load();
  const { verdicts, complete } = check(byFile, {
    cwd: options.cwd,
    // The texts the key was made of, not a later read of them.
    readFile: (p) => (texts.has(p) ? texts.get(p) : options.readFile(p)),
  });
  if (complete)
    writeEntry(cache.dir, file, {
      key,
      verdicts: [...verdicts].map(([k, why]) => [k, why ?? null]),
    });
  return withFixVerdicts(findings, verdicts);
}
