// Which TypeScript extensions another CommonJS loader (ts-node, @swc-node/register, tsx's
// require hook...) has claimed. When one has, threadlens leaves those files to it: it compiles
// them with its own settings (ts-node without esModuleInterop makes `import * as assert from
// "assert"` callable, esbuild does not), and a second transform of the same file would change
// what the program means. The preload still instruments and records; only the TypeScript
// transform steps aside.
//
// The require hook lives in the program's thread, the ESM loader hooks in Node's hooks thread:
// they share one Int32Array word per extension in a SharedArrayBuffer (passed in register()'s
// data), set synchronously when a loader claims an extension, so the hooks thread sees a claim
// made (by mocha's `--require ts-node/register`, say) before the import that follows it.

export const CLAIMABLE_EXTENSIONS = [".ts", ".cts", ".tsx"] as const;

/** Shared between the require hook and the loader hooks: 1 where another loader owns ext. */
export type ClaimWords = Int32Array;

export function newClaimWords(): ClaimWords {
  return new Int32Array(new SharedArrayBuffer(CLAIMABLE_EXTENSIONS.length * 4));
}

function indexOf(file: string): number {
  return CLAIMABLE_EXTENSIONS.findIndex((ext) => file.endsWith(ext));
}

export function markClaimed(words: ClaimWords, ext: string, claimed: 0 | 1 = 1): void {
  const i = indexOf(ext);
  if (i >= 0) Atomics.store(words, i, claimed);
}

/**
 * Whether another CommonJS loader compiles files with `file`'s extension, in any of the
 * threads whose words these are (Node may share one hooks thread between a program's threads;
 * they all run under the same --require loaders).
 */
export function claimedByOtherLoader(words: readonly ClaimWords[], file: string): boolean {
  const i = indexOf(file);
  return i >= 0 && words.some((w) => Atomics.load(w, i) === 1);
}

/**
 * Node's own handlers for TypeScript (type stripping, Node ≥ 22.18/23.6) are not another
 * loader: the preload's transform (enums, decorators, source maps) replaces them as before.
 */
export function isNodeBuiltinHandler(handler: unknown): boolean {
  return typeof handler === "function" && /^load[CM]?TS$/.test(handler.name);
}
