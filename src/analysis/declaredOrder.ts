// Declared lock orders (DESIGN 5.5): a comment `// threadlens: order lockA < lockB` (or a chain,
// `a < b < c`, in a line or block comment, anywhere in the sources) says that lockA is always
// taken before lockB. Both analyses enforce it: taking lockA while holding lockB is a finding,
// with or without a cycle. Pure string work (no TypeScript compiler), so the runtime analysis
// can use it in the recorder thread; locks are matched by name (`lockA`, `this.lockA`).
import { relativePath } from "../protocol/paths.ts";

export interface DeclaredOrder {
  /** The lock taken first. */
  readonly before: string;
  /** The lock taken second. */
  readonly after: string;
  /** The file of the comment, as given to the parser. */
  readonly file: string;
  /** 1-based line of the comment's order. */
  readonly line: number;
}

const NAME = String.raw`[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*`;
const ORDER = /threadlens:\s*order\s+([^\n]*)/g;
const WHOLE_NAME = new RegExp(`^${NAME}$`);

/** Comments of `source`: their text and offset (string and template contents are skipped). */
export function commentsOf(source: string): { readonly text: string; readonly start: number }[] {
  const comments: { text: string; start: number }[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === "/" && (next === "/" || next === "*")) {
      let end = next === "/" ? source.indexOf("\n", i) : source.indexOf("*/", i + 2);
      end = end < 0 ? source.length : next === "*" ? end + 2 : end;
      comments.push({ text: source.slice(i, end), start: i });
      i = end;
    } else if (c === '"' || c === "'" || c === "`") {
      let end = i + 1;
      while (end < source.length && source[end] !== c && (c === "`" || source[end] !== "\n")) {
        end += source[end] === "\\" ? 2 : 1;
      }
      i = end + 1;
    } else {
      i++;
    }
  }
  return comments;
}

/** The orders declared in `source`'s comments, one per consecutive pair of a chain. */
export function parseDeclaredOrders(source: string, file: string): DeclaredOrder[] {
  if (!source.includes("threadlens:")) return [];
  const orders: DeclaredOrder[] = [];
  for (const comment of commentsOf(source)) {
    for (const match of comment.text.matchAll(ORDER)) {
      const body = (match[1] ?? "").replace(/\*\/\s*$/, "").trim();
      const names = body.split("<").map((n) => n.trim());
      if (names.length < 2 || !names.every((n) => WHOLE_NAME.test(n))) continue;
      const offset = comment.start + match.index;
      const line = source.slice(0, offset).split("\n").length;
      for (let k = 0; k + 1 < names.length; k++) {
        const before = names[k] ?? "";
        const after = names[k + 1] ?? "";
        if (before !== after) orders.push({ before, after, file, line });
      }
    }
  }
  return orders;
}

/** Declared orders with their transitive closure: a < b and b < c put a before c. */
export class DeclaredOrders {
  readonly #after = new Map<string, DeclaredOrder[]>();
  readonly #chains = new Map<string, readonly DeclaredOrder[] | null>();

  constructor(readonly orders: readonly DeclaredOrder[]) {
    for (const order of orders) {
      const list = this.#after.get(order.before) ?? [];
      if (!list.some((o) => o.after === order.after)) list.push(order);
      this.#after.set(order.before, list);
    }
  }

  get size(): number {
    return this.orders.length;
  }

  /**
   * The declarations that put `first` before `second` (one shortest chain), or undefined when
   * no declared order relates them that way.
   */
  chain(first: string, second: string): readonly DeclaredOrder[] | undefined {
    if (first === second || this.#after.size === 0) return undefined;
    const key = `${first}\u0000${second}`;
    const cached = this.#chains.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const via = new Map<string, DeclaredOrder>();
    let frontier = [first];
    let found: DeclaredOrder[] | null = null;
    while (frontier.length > 0 && found === null) {
      const next: string[] = [];
      for (const name of frontier) {
        for (const order of this.#after.get(name) ?? []) {
          if (order.after === first || via.has(order.after)) continue;
          via.set(order.after, order);
          if (order.after === second) {
            found = [];
            for (let at: DeclaredOrder | undefined = order; at !== undefined;) {
              found.unshift(at);
              at = at.before === first ? undefined : via.get(at.before);
            }
            break;
          }
          next.push(order.after);
        }
        if (found !== null) break;
      }
      frontier = next;
    }
    this.#chains.set(key, found);
    return found ?? undefined;
  }

  /** The chain that taking `taken` while holding `held` goes against, if any. */
  violated(held: string, taken: string): readonly DeclaredOrder[] | undefined {
    return this.chain(taken, held);
  }
}

/** `lockA < lockB (src/app.ts:3)`, or a chain `a < b < c (src/a.ts:3, src/b.ts:9)`. */
export function declaredOrderText(chain: readonly DeclaredOrder[], cwd: string): string {
  const names = [chain[0]?.before ?? "", ...chain.map((o) => o.after)];
  const places = [...new Set(chain.map((o) => `${relativePath(o.file, cwd)}:${o.line}`))];
  return `${names.join(" < ")} (${places.join(", ")})`;
}
