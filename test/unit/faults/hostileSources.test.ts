// `threadlens check` on generated hostile sources (issue 12): nesting thousands deep of every
// kind of construct the compiler and the walk recurse on. Each file is analyzed (when shallow
// enough) or refused as too deeply nested at its deepest line: never a stack overflow, and the
// other files are still analyzed.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { checkSources } from "../../../src/analysis/static/index.ts";
import { TOO_DEEP } from "../../../src/analysis/static/program.ts";

const HEAD = 'import { Lock } from "threadlens";\nconst a = new Lock();\nconst b = new Lock();\n';
const INVERSION =
  "export function one() { a.acquireSync(); b.acquireSync(); b.release(); a.release(); }\n" +
  "export function two() { b.acquireSync(); a.acquireSync(); a.release(); b.release(); }\n";

/** Nesting shapes: an opening, a closing, and what sits in the middle. */
const SHAPES: Record<string, readonly [string, string]> = {
  blocks: ["{", "}"],
  ifs: ["if (a) {", "}"],
  arrows: ["(() => {", "})();"],
  parentheses: ["(", ")"],
  arrays: ["[", "]"],
  objects: ["({ k: ", "})"],
  calls: ["f(", ")"],
};

function nested(shape: string, depth: number): string {
  const [open, close] = SHAPES[shape] ?? ["{", "}"];
  const inner = open.endsWith("{") || shape === "blocks" ? "a.acquireSync(); a.release();" : "0";
  const body = `${open.repeat(depth)}${inner}${close.repeat(depth)}`;
  const statement = open.endsWith("{") || shape === "blocks" ? body : `void ${body};`;
  return `${HEAD}function f(..._: unknown[]): number { return 0; }\nexport function deep() {\n${statement}\n}\n`;
}

test("nesting of any shape and depth: analyzed, or refused as too deep; never a crash (property)", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...Object.keys(SHAPES)),
      fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 100, max: 6000 })),
      (shape, depth) => {
        const files = new Map([
          ["/w/deep.ts", nested(shape, depth)],
          ["/w/inversion.ts", `${HEAD}${INVERSION}`],
        ]);
        const result = checkSources({
          files: [...files.keys()],
          readFile: (file) => files.get(file),
          cwd: "/w",
        });
        // The other file is analyzed whatever happens to this one.
        assert.deepEqual(
          result.findings.map((f) => [f.kind, f.sites[0]?.file]),
          [["potential-deadlock", "inversion.ts"]],
        );
        for (const problem of result.problems) {
          assert.equal(problem.file, "/w/deep.ts");
          assert.equal(problem.message, TOO_DEEP);
        }
        if (depth <= 100) assert.deepEqual(result.problems, []);
      },
    ),
    { numRuns: 25 },
  );
});
