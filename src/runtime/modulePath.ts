// Where a Thread's or Pool's module is: a file URL, an absolute path, or a path relative to the
// file that creates the Thread (like an import), falling back to the working directory (like
// `new Worker(path)`).
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ArgumentError } from "./errors.ts";
import { describe } from "./validate.ts";
import type { SourceSite } from "./naming.ts";

export function resolveModulePath(
  api: string,
  spec: unknown,
  site: SourceSite | undefined,
): string {
  let candidates: string[];
  if (spec instanceof URL) {
    if (spec.protocol !== "file:")
      throw new ArgumentError(`${api}: only file: URLs can be run, got ${spec.href}`);
    candidates = [fileURLToPath(spec)];
  } else if (typeof spec === "string" && spec.length > 0) {
    if (spec.startsWith("file:")) candidates = [fileURLToPath(spec)];
    else if (path.isAbsolute(spec)) candidates = [spec];
    else {
      candidates = [path.resolve(spec)];
      if (site !== undefined) candidates.unshift(path.resolve(path.dirname(site.file), spec));
    }
  } else {
    throw new ArgumentError(`${api}: expected a module path or file URL, got ${describe(spec)}`);
  }
  const found = candidates.find((c) => existsSync(c));
  if (found === undefined) {
    throw new ArgumentError(`${api}: module not found: ${candidates.join(" or ")}`);
  }
  return found;
}
