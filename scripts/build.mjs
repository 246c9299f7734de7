// One esbuild build for every entry point of the package (runtime, preload, loader hooks,
// pool worker; the CLI, adapter and extension join this list as they land), plus the
// runtime's .d.ts files from tsc, so `import { Lock } from "threadlens"` is typed for users.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, "dist");
const watch = process.argv.includes("--watch");

// dist/ is overwritten in place, not wiped: programs running from it meanwhile keep working.

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  logLevel: "warning",
  absWorkingDir: root,
  // The runtime is one module instance per thread: every other entry reaches it through the
  // package's own name, never by bundling a second copy of it.
  external: ["esbuild", "typescript", "vscode", "threadlens", "threadlens/*"],
};

/** @type {import("esbuild").BuildOptions[]} */
const entries = [
  { entryPoints: { runtime: "src/runtime/index.ts" }, format: "cjs" },
  {
    entryPoints: { register: "src/runtime/register.ts" },
    format: "esm",
    outExtension: { ".js": ".mjs" },
  },
  { entryPoints: { poolWorker: "src/runtime/poolWorker.ts" }, format: "cjs" },
  { entryPoints: { recorder: "src/recorder/recorderThread.ts" }, format: "cjs" },
  { entryPoints: { cli: "src/cli/main.ts" }, format: "cjs" },
  // The debug adapter, DAP on stdio; @vscode/debugadapter is bundled into it.
  { entryPoints: { adapter: "src/adapter/main.ts" }, format: "cjs" },
  // The VS Code extension (vscode is the editor's, so external) and its Threads view's page
  // script, which runs in a browser context.
  // TypeScript (the static analyzer) is bundled: the .vsix ships no node_modules but esbuild's.
  {
    entryPoints: { extension: "src/extension/extension.ts" },
    format: "cjs",
    external: ["vscode", "esbuild"],
  },
  {
    entryPoints: { webview: "media/webview/threads.ts" },
    format: "iife",
    platform: "browser",
    target: "es2022",
  },
  {
    entryPoints: { loaderHooks: "src/runtime/loaderHooks.ts" },
    format: "esm",
    outExtension: { ".js": ".mjs" },
  },
];

await Promise.all(entries.map((e) => build({ ...common, ...e, outdir: dist })));
if (!watch) {
  execFileSync(
    process.execPath,
    [path.join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.types.json"],
    { stdio: "inherit", cwd: root },
  );
}
console.log("built dist/");
