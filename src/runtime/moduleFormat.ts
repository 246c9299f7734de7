// Which module format and language a file is, from its name, its package and its syntax.
// Shared by the preload's TypeScript loading (tsTransform.ts) and its choice of module hooks
// (moduleHooks.ts); no heavier imports than node:fs and node:path (the runtime bundles it).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { isTypeScriptFile } from "../protocol/typeScriptFiles.ts";

export { isTypeScriptFile };

const packageTypes = new Map<string, string | undefined>();

/** The "type" of the package.json nearest to `dir`. */
export function packageType(dir: string): string | undefined {
  if (packageTypes.has(dir)) return packageTypes.get(dir);
  let type: string | undefined;
  const pkg = path.join(dir, "package.json");
  if (existsSync(pkg)) {
    try {
      const parsed = JSON.parse(readFileSync(pkg, "utf8")) as { type?: unknown };
      type = typeof parsed.type === "string" ? parsed.type : "commonjs";
    } catch {
      type = "commonjs";
    }
  } else {
    const parent = path.dirname(dir);
    type = parent === dir ? undefined : packageType(parent);
  }
  packageTypes.set(dir, type);
  return type;
}

/** An ES module by its extension or its package's "type", whatever its syntax. */
export function declaredModule(file: string): boolean {
  return file.endsWith(".mts") || packageType(path.dirname(file)) === "module";
}

/**
 * import/export statements, import.meta or top-level await (a statement that starts with it,
 * or a declaration at the top level that awaits its value: `const data = await load();`): ES
 * module syntax.
 */
export const ESM_SYNTAX =
  /^\s*(?:import\s*[\w{*"'`]|export\s)|\bimport\.meta\b|^(?:(?:const|let|var)\s[^=;]*=\s*)?await\s|^for\s+await\s*\(/m;

/**
 * What only an ES module can hold: import.meta and top-level await (a statement that starts
 * with it, a top-level declaration awaiting its value, a top-level `for await`). A TypeScript
 * file with import statements may still be CommonJS (they compile to require calls); one with
 * these may not, whatever else it says (a `require(` in a worker's source string).
 */
export const MODULE_ONLY_SYNTAX =
  /\bimport\.meta\b|^(?:(?:const|let|var)\s[^=;]*=\s*)?await\s|^for\s+await\s*\(/m;
