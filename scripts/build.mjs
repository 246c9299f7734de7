// One esbuild build for every entry point of the package (runtime, preload, loader hooks,
// pool worker; the CLI, adapter and extension join this list as they land), plus the
// runtime's .d.ts files from tsc, so `import { Lock } from "threadlens"` is typed for users.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
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

/**
 * A plugin that gives every `import x from "<specifier>"` of a CommonJS bundle the module object
 * itself, required once, where esbuild would give each importing module
 * `__toESM(require(specifier))`: a new object with all the module's exports copied onto it. Only
 * for CommonJS modules whose default export is their module object.
 */
function defaultAsRequired(specifier) {
  const namespace = `${specifier.replace(/[^a-z]/g, "-")}-as-required`;
  const filter = new RegExp(`^${specifier.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
  return {
    name: namespace,
    setup(b) {
      b.onResolve({ filter }, (args) =>
        args.kind === "import-statement" && args.namespace !== namespace
          ? { path: specifier, namespace }
          : undefined,
      );
      b.onLoad({ filter: /.*/, namespace }, () => ({
        contents: `const required = require(${JSON.stringify(specifier)});\nexport default required;\n`,
        loader: "js",
        resolveDir: root,
      }));
    },
  };
}

/**
 * The TypeScript compiler: thousands of exports copied in every module that imports it (about
 * 20 ms of each CLI run that checks fix edits, and of each debug adapter's start).
 */
const typeScriptAsRequired = defaultAsRequired("typescript");

/**
 * `import path from "node:path"` (the only form src uses) in the CommonJS bundles that load in
 * every thread of a program: each of the two dozen modules importing it copied node:path's
 * exports onto an object of its own, about half a millisecond of every worker's start (issue 13).
 */
const nodePathAsRequired = defaultAsRequired("node:path");

/** @type {import("esbuild").BuildOptions[]} */
const entries = [
  {
    entryPoints: { runtime: "src/runtime/index.ts" },
    format: "cjs",
    plugins: [nodePathAsRequired],
  },
  {
    entryPoints: { register: "src/runtime/registerModule.ts" },
    format: "esm",
    outExtension: { ".js": ".mjs" },
  },
  // The same preload as CommonJS, for worker threads (instrument/workers.ts): a worker that
  // gets it through --require does not start Node's ES module loader for it.
  {
    entryPoints: { register: "src/runtime/register.ts" },
    format: "cjs",
    plugins: [nodePathAsRequired],
    outExtension: { ".js": ".cjs" },
    define: { "import.meta.url": "__threadlensImportMetaUrl" },
    banner: {
      js: '"use strict";\nconst __threadlensImportMetaUrl = require("node:url").pathToFileURL(__filename).href;',
    },
  },
  { entryPoints: { poolWorker: "src/runtime/poolWorker.ts" }, format: "cjs" },
  // TypeScript worker entries compiled for a start without the module hooks
  // (runtime/workerPrecompile.ts), with es-module-lexer bundled: loaded only by a thread that
  // starts such a worker.
  {
    entryPoints: { workerPrecompile: "src/runtime/workerPrecompile.ts" },
    format: "cjs",
    plugins: [nodePathAsRequired],
  },
  {
    entryPoints: { recorder: "src/recorder/recorderThread.ts" },
    format: "cjs",
    plugins: [nodePathAsRequired],
  },
  // The recorder thread's entry: the bundle above, loaded with its code cache.
  { entryPoints: { recorderEntry: "src/recorder/recorderEntry.ts" }, format: "cjs" },
  { entryPoints: { cli: "src/cli/main.ts" }, format: "cjs", plugins: [typeScriptAsRequired] },
  // The debug adapter, DAP on stdio; @vscode/debugadapter is bundled into it.
  {
    entryPoints: { adapter: "src/adapter/main.ts" },
    format: "cjs",
    plugins: [typeScriptAsRequired],
  },
  // The VS Code extension (vscode is the editor's, so external) and its Threads view's page
  // script, which runs in a browser context.
  // TypeScript (the static analyzer) is bundled: the .vsix ships no node_modules but esbuild's.
  {
    entryPoints: { extension: "src/extension/extension.ts" },
    format: "cjs",
    external: ["vscode", "esbuild"],
    plugins: [typeScriptAsRequired],
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
await writeRuntimeFacade();
if (!watch) {
  execFileSync(
    process.execPath,
    [path.join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.types.json"],
    { stdio: "inherit", cwd: root },
  );
}
console.log("built dist/");

/**
 * dist/runtime.mjs: what a program's `import "threadlens"` loads under the preload (the loader
 * hooks send it there). It re-exports dist/runtime.js, the one runtime instance of the thread
 * (required by the package's name, which the preload resolves to it, with its code cache),
 * under names listed here, so that Node does not scan the 200 KB bundle for its exports with
 * its CommonJS lexer in every thread that imports it (about 30 ms a thread on this machine).
 */
async function writeRuntimeFacade() {
  const { metafile } = await build({
    ...common,
    entryPoints: ["src/runtime/index.ts"],
    format: "esm",
    write: false,
    metafile: true,
    outdir: dist,
    sourcemap: false,
  });
  const names = Object.values(metafile.outputs)
    .flatMap((output) => output.exports)
    .filter((name) => name !== "default")
    .sort();
  writeFileSync(
    path.join(dist, "runtime.mjs"),
    `// Generated by scripts/build.mjs: the ES module face of runtime.js (one instance a thread).
import { createRequire } from "node:module";
const runtime = createRequire(import.meta.url)("threadlens");
export default runtime;
export const { ${names.join(", ")} } = runtime;
`,
  );
}
