// The modules a worker's dynamic imports are expected to load, read from its workerData: a
// pool library starts its workers on its own script, which imports the task module it was
// given by the file name the pool passes down (piscina, tinypool: workerData.filename). The
// preload scans these as it scans a worker's entry (moduleHooks.ts), so that a worker of a
// JavaScript program starts the module hooks only for a task module that needs them.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isFile } from "./esmGraph.ts";

/** Levels of objects and arrays read below workerData itself. */
const DEPTH = 3;
/** Strings read at most: a large workerData is data, not configuration. */
const STRINGS = 200;
/** A module file's name: what a pool's task file is (JavaScript or TypeScript). */
const MODULE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;

function fileOf(text: string): string | undefined {
  if (text.length > 4096) return undefined;
  let file: string;
  if (text.startsWith("file:")) {
    try {
      file = fileURLToPath(text);
    } catch {
      return undefined;
    }
  } else if (MODULE_FILE.test(text) && !/^[a-z][a-z\d+.-]*:/i.test(text)) {
    file = path.resolve(text);
  } else return undefined;
  return isFile(file) ? file : undefined;
}

/** The existing files that strings in `data` name (paths or file: URLs), each once. */
export function namedModuleFiles(data: unknown): string[] {
  const files = new Set<string>();
  let budget = STRINGS;
  const visit = (value: unknown, depth: number): void => {
    if (budget <= 0) return;
    if (typeof value === "string") {
      budget--;
      const file = fileOf(value);
      if (file !== undefined) files.add(file);
      return;
    }
    if (value === null || typeof value !== "object" || depth > DEPTH) return;
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return;
    if (typeof SharedArrayBuffer !== "undefined" && value instanceof SharedArrayBuffer) return;
    const entries =
      value instanceof Map || value instanceof Set ? [...value.values()] : Object.values(value);
    for (const item of entries) visit(item, depth + 1);
  };
  visit(data, 0);
  return [...files];
}
