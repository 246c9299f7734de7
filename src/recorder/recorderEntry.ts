// The recorder thread's entry (runtime/recorderStart.ts starts it with this file): loads the
// recorder's bundle (dist/recorder.js, 180 KB) with V8's code cache (protocol/codeCache.ts),
// the one the main thread's end-of-run analysis uses too (runtimeCode.ts: a program that ended
// before its recorder started loads the same bundle there). Compiling it was a few
// milliseconds of every run whose recorder starts; deserializing its cache is about one.
import path from "node:path";
import { buildKey, loadCommonJs, readCodeCache, saveCodeCache } from "../protocol/codeCache.ts";

const PREFIX = "runtime";
const file = path.join(__dirname, "recorder.js");
const key = buildKey(file);
const cached = readCodeCache(PREFIX, file, key);
const script = loadCommonJs(file, cached);
if (cached === undefined || script.cachedDataRejected) {
  // Made after the load: the cache then holds the functions its start compiled as well.
  saveCodeCache(PREFIX, file, key, script.createCachedData());
}
