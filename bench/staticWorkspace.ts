// A generated TypeScript workspace for the static analysis bench (staticCheck.bench.ts), shaped
// like an application's: mostly utility modules that never touch a lock (importing each other;
// a few call a `run` method of their own, a name the analysis must treat as a lock operation),
// one in twenty a service class with field locks taken in one order and shared locks under a
// declared order, helper modules without threadlens that services call with locks held and
// that reach a lock two files away, and S1's inversion split across two files (the one finding).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface GeneratedWorkspace {
  /** Absolute paths (forward slashes), sorted. */
  readonly files: readonly string[];
  readonly lines: number;
  /** Files to edit for the re-analysis measurement, each with what kind of file it is. */
  readonly edits: readonly { readonly file: string; readonly kind: string }[];
}

const SHARED = `import { Lock } from "threadlens";

// threadlens: order cacheLock < storeLock
export const cacheLock = new Lock();
export const storeLock = new Lock();
export const lockA = new Lock();
export const lockB = new Lock();
`;

const STORE = `import { storeLock } from "./locks.ts";

const entries: string[] = [];

export function recordStore(entry: string): number {
  storeLock.acquireSync();
  try {
    entries.push(entry);
    return entries.length;
  } finally {
    storeLock.release();
  }
}
`;

const FIRST = `import { lockA, lockB } from "../locks.ts";

function updateB(): void {
  lockB.acquireSync();
  lockB.release();
}

export function doA(): void {
  lockA.acquireSync();
  updateB();
  lockA.release();
}
`;

const SECOND = `import { lockA, lockB } from "../locks.ts";

export async function doB(): Promise<void> {
  await lockB.acquire();
  await lockA.acquire();
  lockA.release();
  lockB.release();
}
`;

function utilFunction(i: number, k: number, dep: number | undefined): string {
  const call = dep === undefined ? "value / 2" : `scale${dep}_0([value], 1)`;
  return `
export function scale${i}_${k}(values: readonly number[], factor: number): number {
  let total = 0;
  for (const value of values) {
    if (value > factor) {
      total += value * ${k + 1};
    } else {
      total -= ${call};
    }
  }
  return total / (values.length || 1);
}
`;
}

function utilClass(i: number, runs: boolean): string {
  const job = runs
    ? `
  flush(job: { run(): void }): void {
    job.run();
    this.#items.clear();
  }
`
    : "";
  return `
export interface Entry${i} {
  readonly key: string;
  readonly weight: number;
  readonly tags: readonly string[];
}

export class Registry${i} {
  readonly #items = new Map<string, Entry${i}>();

  add(entry: Entry${i}): void {
    const known = this.#items.get(entry.key);
    this.#items.set(entry.key, known === undefined ? entry : { ...entry, weight: known.weight + entry.weight });
  }

  describe(): string {
    return [...this.#items.values()].map((e) => \`\${e.key}=\${e.weight}\`).join(", ");
  }
${job}}
`;
}

function util(i: number, functions: number): string {
  const deps = i < 2 ? [] : [Math.floor(i / 2), i - 1];
  const imports = deps.map((d) => `import { scale${d}_0 } from "./u${d}.ts";\n`).join("");
  let body = `// Utility module ${i}.\n${imports}`;
  for (let k = 0; k < functions; k++) body += utilFunction(i, k, deps[k % 2]);
  return body + utilClass(i, i % 19 === 7);
}

function service(k: number, helper: number, utilDep: number): string {
  return `import { Lock, withLock } from "threadlens";
import { cacheLock } from "../locks.ts";
import { flushHelper${helper} } from "../helpers/helper${helper}.ts";
import { scale${utilDep}_0 } from "../util/u${utilDep}.ts";

export class Service${k} {
  readonly #state = new Lock();
  readonly #io = new Lock();
  #count = 0;

  async update(values: readonly number[]): Promise<number> {
    using state = await this.#state.lock();
    using io = await this.#io.lock();
    this.#count += scale${utilDep}_0(values, ${k});
    return state === io ? 0 : this.#count;
  }

  save(): void {
    this.#state.acquireSync();
    try {
      this.#write();
    } finally {
      this.#state.release();
    }
  }

  #write(): void {
    this.#io.runSync(() => {
      this.#count++;
    });
  }

  async publish(name: string): Promise<number> {
    return withLock(cacheLock, async () => flushHelper${helper}(\`\${name}-${k}\`));
  }
}
`;
}

function helper(k: number): string {
  return `// Helper ${k}: no locks here, but it is called with cacheLock held and reaches storeLock.
import { recordStore } from "../store.ts";

export function flushHelper${k}(name: string): number {
  const label = name.trim().toLowerCase();
  return label.length === 0 ? 0 : recordStore(label);
}
`;
}

/** Writes a workspace of `count` files under `root`; util modules have `functions` functions. */
export function generateWorkspace(
  root: string,
  count: number,
  functions: number,
): GeneratedWorkspace {
  const texts = new Map<string, string>([
    ["src/locks.ts", SHARED],
    ["src/store.ts", STORE],
    ["src/inversion/first.ts", FIRST],
    ["src/inversion/second.ts", SECOND],
  ]);
  const utils: number[] = [];
  let services = 0;
  for (let i = 0; texts.size < count; i++) {
    if (i % 20 === 10) {
      const k = services++;
      texts.set(`src/helpers/helper${k}.ts`, helper(k));
      if (texts.size < count) {
        const dep = utils[utils.length >> 1] ?? 0;
        texts.set(`src/services/service${k}.ts`, service(k, k, dep));
      }
    } else {
      utils.push(i);
      texts.set(`src/util/u${i}.ts`, util(i, functions));
    }
  }
  let lines = 0;
  const files: string[] = [];
  for (const [name, text] of texts) {
    const file = path.join(root, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    files.push(file.split(path.sep).join("/"));
    lines += text.split("\n").length - 1;
  }
  const at = (name: string): string => path.join(root, name).split(path.sep).join("/");
  const middle = utils[utils.length >> 1] ?? 0;
  return {
    files: files.sort(),
    lines,
    edits: [
      { file: at(`src/util/u${middle}.ts`), kind: "utility" },
      { file: at(`src/util/u${utils.at(-1) ?? 0}.ts`), kind: "utility" },
      { file: at("src/util/u7.ts"), kind: "utility calling run()" },
      { file: at(`src/helpers/helper${services >> 1}.ts`), kind: "helper" },
      { file: at(`src/services/service${services >> 2}.ts`), kind: "service" },
      { file: at("src/store.ts"), kind: "store" },
      { file: at("src/inversion/second.ts"), kind: "inversion" },
      { file: at("src/locks.ts"), kind: "locks" },
    ],
  };
}

/**
 * One dense file (issue 12's large-file shape): `functions` functions, each nesting two of
 * `locks` Locks, cycling over `pairs` pairs of locks, one function in eight of each pair the
 * other way round: every pair is an inversion with many sites each way, and the pairs chain
 * into longer cycles. Returns the file's absolute path (forward slashes).
 */
export function generateDenseFile(
  root: string,
  functions: number,
  locks: number,
  pairs: number,
): string {
  const out = ['import { Lock } from "threadlens";'];
  for (let i = 0; i < locks; i++) out.push(`const lock${i} = new Lock("lock${i}");`);
  for (let i = 0; i < functions; i++) {
    const p = i % pairs;
    const x = p % locks;
    const y = (x + 1 + ((p * 7) % (locks - 1))) % locks;
    const [a, b] = Math.floor(i / pairs) % 8 === 0 ? [y, x] : [x, y];
    out.push(
      `export function work${i}(): number {`,
      `  lock${a}.acquireSync();`,
      "  try {",
      `    lock${b}.acquireSync();`,
      "    try {",
      `      return ${i};`,
      "    } finally {",
      `      lock${b}.release();`,
      "    }",
      "  } finally {",
      `    lock${a}.release();`,
      "  }",
      "}",
    );
  }
  const file = path.join(root, "dense.ts");
  writeFileSync(file, `${out.join("\n")}\n`);
  return file.split(path.sep).join("/");
}
