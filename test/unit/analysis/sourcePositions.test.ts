// Line/column and offset conversions of analysis/sourceEdits.ts (indexed per source, issue 12)
// and applyTextEdit with several replacements at once: what a scan of the text gives.
import { test } from "node:test";
import assert from "node:assert/strict";
import { applyTextEdit, offsetOf, positionOf } from "../../../src/analysis/sourceEdits.ts";

const SOURCE = "const a = 1;\r\n\nfunction f() {\n  return a;\n}";

function scanned(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset);
  return { line: before.split("\n").length, column: offset - (before.lastIndexOf("\n") + 1) + 1 };
}

test("positionOf and offsetOf agree with a scan of the text at every offset", () => {
  for (let offset = 0; offset <= SOURCE.length; offset++) {
    const position = positionOf(SOURCE, offset);
    assert.deepEqual(position, scanned(SOURCE, offset), `offset ${offset}`);
    assert.equal(offsetOf(SOURCE, position.line, position.column), offset);
  }
  assert.equal(offsetOf(SOURCE, 6, 1), -1);
  assert.equal(offsetOf(SOURCE, 4, 3), SOURCE.indexOf("return"));
  // Another text after the first: its own lines, not the previous text's.
  assert.deepEqual(positionOf("x\ny", 2), { line: 2, column: 1 });
  assert.deepEqual(positionOf(SOURCE, SOURCE.indexOf("return")), { line: 4, column: 3 });
});

test("applyTextEdit applies every replacement at the place it names in the original text", () => {
  const edit = {
    file: "f.ts",
    replacements: [
      { line: 4, column: 10, endLine: 4, endColumn: 11, newText: "b + c" },
      { line: 1, column: 7, endLine: 1, endColumn: 8, newText: "b" },
      { line: 3, column: 10, endLine: 3, endColumn: 11, newText: "g" },
      { line: 1, column: 1, endLine: 1, endColumn: 1, newText: "// x\n" },
    ],
  };
  assert.equal(
    applyTextEdit(SOURCE, edit),
    "// x\nconst b = 1;\r\n\nfunction g() {\n  return b + c;\n}",
  );
  // A replacement past the end of the text is left out.
  const outside = { line: 9, column: 1, endLine: 9, endColumn: 2, newText: "z" };
  assert.equal(applyTextEdit(SOURCE, { file: "f.ts", replacements: [outside] }), SOURCE);
});
