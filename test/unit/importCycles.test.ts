// No import cycles in src/ (issue 14): a cycle makes a module run before one it needs has
// finished loading (its exports still undefined at the top level), and ties the files of a
// layer into one knot that cannot be read, tested or moved apart. Static imports and
// re-exports count; `import type` (erased) and `import()` (loaded on first use) do not.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const STATIC_IMPORT =
  /^\s*(?:import|export)\s+(?!type\b)(?:[^"';]*?\sfrom\s+)?["'](\.[^"']+)["']/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return /\.tsx?$/.test(name) && !name.endsWith(".d.ts") ? [file] : [];
  });
}

/** Each file's static imports of other files of the set (absolute paths). */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  return new Map(
    files.map((file) => {
      const text = readFileSync(file, "utf8");
      const targets = [...text.matchAll(STATIC_IMPORT)]
        .map((m) => path.resolve(path.dirname(file), m[1] ?? ""))
        .filter((target) => known.has(target));
      return [file, targets];
    }),
  );
}

/** The strongly connected components with more than one file, or a file importing itself. */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file) ?? 0);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file) ?? 0, low.get(target) ?? 0));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file) ?? 0, index.get(target) ?? 0));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) cycles.push(component);
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return cycles;
}

function describe(cycle: readonly string[], base: string): string {
  return cycle
    .map((file) => path.relative(base, file).split(path.sep).join("/"))
    .sort()
    .join(" <-> ");
}

test("the cycle finder finds a cycle through a re-export and ignores type-only imports", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "threadlens-cycles-"));
  try {
    const files = {
      "a.ts":
        'import { b } from "./b.ts";\nimport type { D } from "./d.ts";\nexport const a = b;\n',
      "b.ts": 'export {\n  c as b,\n} from "./c.ts";\n',
      "c.ts": 'import "./a.ts";\nexport const c = 1;\n',
      "d.ts": 'import { a } from "./a.ts";\nexport type D = typeof a;\n',
      "e.ts": 'const later = () => import("./e2.ts");\nexport { later };\n',
      "e2.ts": 'import { later } from "./e.ts";\nexport const e2 = later;\n',
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    const cycles = importCycles(importGraph(sourceFiles(dir)));
    assert.deepEqual(
      cycles.map((c) => describe(c, dir)),
      ["a.ts <-> b.ts <-> c.ts"],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("src/ has no import cycle", () => {
  const src = path.join(root, "src");
  const found = importCycles(importGraph(sourceFiles(src))).map((c) => describe(c, src));
  assert.deepEqual(found, [], `import cycles in src/: ${found.join("; ")}`);
});
