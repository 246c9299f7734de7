// Installs the third-party packages that the loader/runner compatibility tests
// (test/compat) and the real-world corpus (bench/realworld) run threadlens against, at pinned
// versions, from the npm registry into .corpus-cache/ (git-ignored): they are tools of those
// tests, never dependencies of threadlens, and their code is never copied into the repository.
// Idempotent and cheap when the cache already holds these versions (a stamp file says which).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const cacheDir = process.env["THREADLENS_CORPUS_CACHE"] || path.join(root, ".corpus-cache");

// Versions whose engines accept Node 20 (the project's floor): p-queue 9+ asks for Node 22.
export const PINNED = {
  // TypeScript loaders
  "ts-node": "10.9.2",
  tsx: "4.23.15",
  "@swc-node/register": "1.12.1",
  "@swc/core": "1.16.22",
  // test runners
  mocha: "12.0.3",
  tap: "21.8.0",
  vitest: "4.1.12",
  jest: "30.5.2",
  // the real-world corpus: worker pools, a synchronous-call bridge, async locks and queues
  piscina: "5.3.2",
  workerpool: "10.0.2",
  tinypool: "2.2.0",
  synckit: "0.12.3",
  "async-mutex": "0.5.0",
  "async-lock": "1.5.0",
  "p-queue": "8.1.0",
  "p-limit": "7.3.3",
  // packages whose published tarballs hold their own test suites, run by the corpus: pino's
  // worker transport (SharedArrayBuffer + Atomics.wait/notify between main and a worker), its
  // file writer (atomic-sleep when the fd is busy) and that Atomics.wait-based sleep; with what
  // those suites require (borp, thread-stream's runner, wants Node 22: node --test runs them)
  "thread-stream": "4.2.1",
  "sonic-boom": "5.0.2",
  "atomic-sleep": "1.0.0",
  desm: "1.3.1",
  proxyquire: "2.1.3",
  "@sinonjs/fake-timers": "15.5.0",
  tape: "5.10.2",
};

/**
 * `threadlens` for the corpus programs run by plain node (under the preload the loader hooks
 * resolve it): this checkout, linked after each install (npm would prune a link it did not make).
 */
function linkThreadlens() {
  const link = path.join(cacheDir, "node_modules", "threadlens");
  if (existsSync(link)) return;
  try {
    symlinkSync(root, link, "dir");
  } catch (error) {
    // Made meanwhile by another test file's setup.
    if (error.code !== "EEXIST") throw error;
  }
}

export function ensureCorpus() {
  const stampFile = path.join(cacheDir, "installed.json");
  const wanted = JSON.stringify(PINNED);
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === wanted) {
    linkThreadlens();
    return cacheDir;
  }
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(
    path.join(cacheDir, "package.json"),
    JSON.stringify({ name: "threadlens-corpus", private: true, dependencies: PINNED }, null, 2) +
      "\n",
  );
  console.error("corpus setup: installing the pinned packages into .corpus-cache/ (a minute)");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["install", "--no-audit", "--no-fund", "--no-package-lock"], {
    cwd: cacheDir,
    encoding: "utf8",
  });
  if (result.status !== 0) {
    throw new Error(`corpus setup: npm install failed\n${result.stdout}\n${result.stderr}`);
  }
  writeFileSync(stampFile, wanted);
  linkThreadlens();
  return cacheDir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureCorpus();
