// Where a fixture's text is: the program tests assert exact sites (file and line), found by a
// piece of the line's text rather than by numbers that a comment added above would shift.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { root } from "./cliJson.ts";

/** The number (from 1) of the `n`th line of `file` (from the repository root) holding `text`. */
export function lineIn(file: string, text: string, n = 1): number {
  const lines = readFileSync(path.resolve(root, file), "utf8").split("\n");
  let seen = 0;
  const index = lines.findIndex((line) => line.includes(text) && ++seen === n);
  return index >= 0 ? index + 1 : assert.fail(`${text} (#${n}) not in ${file}`);
}
