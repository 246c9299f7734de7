// The preload: `node --import threadlens/register app.ts`. Runs in the main thread and again
// in every worker thread (workers inherit --import), and in each one makes TypeScript modules
// loadable: ESM through the loader hooks, CommonJS through a require hook; and turns on source
// maps so that stacks point at TypeScript lines.
import Module, { register } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { readCached, toSyntaxError, transformOptions, writeCached } from "./tsTransform.ts";

register(pathToFileURL(path.join(__dirname, "loaderHooks.mjs")).href);
process.setSourceMapsEnabled(true);

interface CompilableModule {
  _compile(code: string, filename: string): void;
}
type Extensions = Record<string, (module: CompilableModule, filename: string) => void>;

function compileCommonJs(module: CompilableModule, filename: string): void {
  const source = readFileSync(filename, "utf8");
  let code = readCached(filename, source, "commonjs");
  if (code === undefined) {
    // Loaded on first use: a program whose modules are all cached never starts esbuild.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require("esbuild") as typeof import("esbuild");
    try {
      code = esbuild.transformSync(source, transformOptions(filename, "commonjs")).code;
    } catch (error) {
      throw toSyntaxError(filename, error);
    }
    writeCached(filename, source, "commonjs", code);
  }
  module._compile(code, filename);
}

const extensions = (Module as unknown as { _extensions: Extensions })._extensions;
for (const ext of [".ts", ".cts", ".tsx"]) extensions[ext] = compileCommonJs;
