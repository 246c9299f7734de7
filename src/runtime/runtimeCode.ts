// The runtime's bundle (dist/runtime.js, 220 KB) loads in every thread of the program, and
// compiling it was a good part of each worker's start under the preload. It is loaded here with
// V8's code cache: made by the first thread that compiles it, kept on disk beside the
// TypeScript cache (for the next run) and handed to the threads this one starts through
// environment data (workers inherit it), so that every other thread only deserializes it.
// The module is Node's own CommonJS module object, registered in require's cache as Node
// would: the package's own name, required or imported (through runtime.mjs), gets this instance.
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
import path from "node:path";
import { Script } from "node:vm";
import { getEnvironmentData, setEnvironmentData } from "node:worker_threads";
import { cacheDir } from "./tsTransform.ts";

const ENV_KEY = "threadlens:runtimeCode";

interface CodeCache {
  /** Which build of the file, on which engine, the cache is for. */
  readonly key: string;
  readonly data: Uint8Array;
}

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

/** FNV-1a of the bundle's path: one cache file per installed copy of threadlens. */
function pathTag(filename: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < filename.length; i++)
    hash = Math.imul(hash ^ filename.charCodeAt(i), 0x01000193) >>> 0;
  return `runtime-${hash.toString(36)}-`;
}

function diskPath(filename: string, key: string): string {
  return path.join(cacheDir, `${pathTag(filename)}${key.replace(/[^\w.-]/g, "_")}.v8`);
}

function cachedCode(filename: string, key: string): Uint8Array | undefined {
  const inherited = getEnvironmentData(ENV_KEY) as CodeCache | undefined;
  if (inherited?.key === key) return inherited.data;
  try {
    return readFileSync(diskPath(filename, key));
  } catch {
    return undefined;
  }
}

/** Saves the cache of this build of `filename`, in place of the previous builds'. */
function saveCode(filename: string, key: string, data: Uint8Array): void {
  try {
    mkdirSync(cacheDir, { recursive: true });
    const target = diskPath(filename, key);
    const tag = pathTag(filename);
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

function buildKey(filename: string): string {
  const stat = statSync(filename);
  return `${process.version}-${process.arch}-${stat.size}-${Math.floor(stat.mtimeMs)}`;
}

/** Where the code cache of this build of `filename` is kept on disk. */
export function codeCacheFile(filename: string): string {
  return diskPath(filename, buildKey(filename));
}

/**
 * Loads the CommonJS file `filename` (the runtime's bundle) once per thread, with code cache.
 * Says how: "cached" (V8 took the cache), "compiled" (no cache, or V8 rejected it: made now),
 * "loaded" (this thread had loaded it already).
 */
export function loadWithCodeCache(filename: string): "cached" | "compiled" | "loaded" {
  const modules = Module as unknown as ModuleInternals;
  if (modules._cache[filename] !== undefined) return "loaded";
  const source = readFileSync(filename, "utf8");
  const key = buildKey(filename);
  const cached = cachedCode(filename, key);
  const script = new Script(modules.wrap(source), { filename, cachedData: cached });
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
  if (cached !== undefined && !script.cachedDataRejected) {
    setEnvironmentData(ENV_KEY, { key, data: cached } satisfies CodeCache);
    return "cached";
  }
  // Made after the run: the cache then holds the functions the load compiled as well.
  const data = script.createCachedData();
  setEnvironmentData(ENV_KEY, { key, data } satisfies CodeCache);
  saveCode(filename, key, data);
  return "compiled";
}
