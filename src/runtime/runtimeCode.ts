// The runtime's bundle (dist/runtime.js, 220 KB) loads in every thread of the program, and
// compiling it was a good part of each worker's start under the preload. It is loaded here with
// V8's code cache (protocol/codeCache.ts): made by the first thread that compiles it, kept on
// disk beside the TypeScript cache (for the next run) and handed to the threads this one
// starts through environment data (workers inherit it), so that every other thread only
// deserializes it. The module is Node's own CommonJS module object, registered in require's
// cache as Node would: the package's own name, required or imported (through runtime.mjs),
// gets this instance.
import { getEnvironmentData, setEnvironmentData } from "node:worker_threads";
import {
  buildKey,
  codeCacheFile,
  isLoaded,
  loadCommonJs,
  readCodeCache,
  saveCodeCache,
} from "../protocol/codeCache.ts";

export { codeCacheFile };

const ENV_KEY = "threadlens:runtimeCode";
const PREFIX = "runtime";

interface CodeCache {
  /** Which build of the file, on which engine, the cache is for. */
  readonly key: string;
  readonly data: Uint8Array;
}

function cachedCode(filename: string, key: string): Uint8Array | undefined {
  const inherited = getEnvironmentData(ENV_KEY) as CodeCache | undefined;
  if (inherited?.key === key) return inherited.data;
  return readCodeCache(PREFIX, filename, key);
}

/**
 * Loads the CommonJS file `filename` (the runtime's bundle) once per thread, with code cache.
 * Says how: "cached" (V8 took the cache), "compiled" (no cache, or V8 rejected it: made now),
 * "loaded" (this thread had loaded it already).
 */
export function loadWithCodeCache(filename: string): "cached" | "compiled" | "loaded" {
  if (isLoaded(filename)) return "loaded";
  const key = buildKey(filename);
  const cached = cachedCode(filename, key);
  const script = loadCommonJs(filename, cached);
  if (cached !== undefined && !script.cachedDataRejected) {
    setEnvironmentData(ENV_KEY, { key, data: cached } satisfies CodeCache);
    return "cached";
  }
  // Made after the run: the cache then holds the functions the load compiled as well.
  const data = script.createCachedData();
  setEnvironmentData(ENV_KEY, { key, data } satisfies CodeCache);
  saveCodeCache(PREFIX, filename, key, data);
  return "compiled";
}
