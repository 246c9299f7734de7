// V8's code cache for the large CommonJS files threadlens loads again in every process or
// thread: the runtime's bundle in each thread of a program (runtime/runtimeCode.ts), the
// TypeScript compiler in each CLI run that checks its fix edits and in each debug adapter
// (`loadTypeScript`). A file is compiled once, its cache kept on disk (one file per build of
// it), and every later load only deserializes it. A cache that cannot be read or written only
// costs speed.
import Module, { createRequire } from "node:module";
import {
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Script } from "node:vm";

/** Where threadlens keeps what it compiled (TypeScript modules, V8 code caches). */
export const cacheDir = path.join(tmpdir(), `threadlens-ts-cache-${process.getuid?.() ?? "u"}`);

interface CommonJsModule {
  exports: unknown;
  filename: string;
  paths: string[];
  loaded: boolean;
}
interface ModuleInternals {
  new (id: string): CommonJsModule;
  _cache: Record<string, CommonJsModule | undefined>;
  _nodeModulePaths(dir: string): string[];
  wrap(source: string): string;
}

/** FNV-1a of the file's path: one cache file per installed copy of it. */
function pathTag(prefix: string, filename: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < filename.length; i++)
    hash = Math.imul(hash ^ filename.charCodeAt(i), 0x01000193) >>> 0;
  return `${prefix}-${hash.toString(36)}-`;
}

function diskPath(prefix: string, filename: string, key: string): string {
  return path.join(cacheDir, `${pathTag(prefix, filename)}${key.replace(/[^\w.-]/g, "_")}.v8`);
}

/** Which build of the file, on which engine, a cache is for. */
export function buildKey(filename: string): string {
  const stat = statSync(filename);
  return `${process.version}-${process.arch}-${stat.size}-${Math.floor(stat.mtimeMs)}`;
}

/** Where the code cache of this build of `filename` is kept on disk. */
export function codeCacheFile(filename: string, prefix = "runtime"): string {
  return diskPath(prefix, filename, buildKey(filename));
}

export function readCodeCache(
  prefix: string,
  filename: string,
  key: string,
): Uint8Array | undefined {
  try {
    return readFileSync(diskPath(prefix, filename, key));
  } catch {
    return undefined;
  }
}

/** Saves the cache of this build of `filename`, in place of the previous builds'. */
export function saveCodeCache(
  prefix: string,
  filename: string,
  key: string,
  data: Uint8Array,
): void {
  try {
    mkdirSync(cacheDir, { recursive: true });
    const target = diskPath(prefix, filename, key);
    const tag = pathTag(prefix, filename);
    for (const name of readdirSync(cacheDir))
      if (name.startsWith(tag) && name.endsWith(".v8"))
        rmSync(path.join(cacheDir, name), { force: true });
    const temp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(temp, data);
    renameSync(temp, target);
  } catch {
    // A cache that cannot be written only costs speed.
  }
}

/**
 * Runs the CommonJS file `filename` as Node would, with `cachedData` for V8, and registers it
 * in require's cache (a later `require` of it gets this instance). Returns the script: whether
 * V8 took the cache (`cachedDataRejected`), and the cache to save (`createCachedData()`).
 */
export function loadCommonJs(filename: string, cachedData: Uint8Array | undefined): Script {
  const modules = Module as unknown as ModuleInternals;
  const source = readFileSync(filename, "utf8");
  const script = new Script(modules.wrap(source), { filename, cachedData });
  const loaded = new modules(filename);
  loaded.filename = filename;
  loaded.paths = modules._nodeModulePaths(path.dirname(filename));
  modules._cache[filename] = loaded;
  try {
    const run = script.runInThisContext() as (...args: unknown[]) => void;
    run.call(
      loaded.exports,
      loaded.exports,
      createRequire(filename),
      loaded,
      filename,
      path.dirname(filename),
    );
  } catch (error) {
    delete modules._cache[filename];
    throw error;
  }
  loaded.loaded = true;
  return script;
}

export function isLoaded(filename: string): boolean {
  return (Module as unknown as ModuleInternals)._cache[filename] !== undefined;
}

/**
 * Loads the TypeScript compiler at `filename` (resolved by the caller's require, so that the
 * caller's modules that import "typescript" then get this instance) with its code cache. Without a usable cache,
 * one is made when the process exits: it then also holds the compiler functions this process
 * compiled (the parser, the binder), which a load alone would not.
 */
export function loadTypeScript(filename: string): "cached" | "compiled" | "loaded" {
  if (isLoaded(filename)) return "loaded";
  const key = buildKey(filename);
  const cached = readCodeCache("typescript", filename, key);
  const script = loadCommonJs(filename, cached);
  if (cached !== undefined && !script.cachedDataRejected) return "cached";
  process.once("exit", () => saveCodeCache("typescript", filename, key, script.createCachedData()));
  return "compiled";
}
