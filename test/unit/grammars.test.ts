// The TextMate grammars of syntaxes/, run by the tokenizer VS Code runs (vscode-textmate on
// Oniguruma): the lock-order annotation grammar injected into TypeScript comments, and the
// .tltrace grammar on a trace as the writer writes it. The TypeScript side is a stand-in with
// the real grammar's comment and string rules (begin/end rules, so injections apply inside).
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import oniguruma from "vscode-oniguruma";
import textmate from "vscode-textmate";
import { EVENT_KINDS, type MetaRecord } from "../../src/protocol/events.ts";
import { writeTrace } from "../../src/protocol/traceText.ts";

const require = createRequire(import.meta.url);
const root = new URL("../../", import.meta.url);
const ANNOTATIONS = "threadlens.annotations.injection";
const SOURCE_TS = "source.ts";

/** The comment and string rules of VS Code's TypeScript grammar, reduced. */
const TYPESCRIPT_STAND_IN = JSON.stringify({
  scopeName: SOURCE_TS,
  patterns: [
    { begin: "//", end: "(?=$)", name: "comment.line.double-slash.ts" },
    { begin: "/\\*", end: "\\*/", name: "comment.block.ts" },
    { begin: '"', end: '"', name: "string.quoted.double.ts" },
    { match: "\\b(?:const|export|function)\\b", name: "storage.type.ts" },
  ],
});

function grammarFile(name: string): string {
  return readFileSync(new URL(`syntaxes/${name}`, root), "utf8");
}

interface Token {
  readonly text: string;
  readonly scopes: readonly string[];
}

let registry: textmate.Registry;

before(async () => {
  const wasm = readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm);
  const raw: Record<string, [string, string]> = {
    [SOURCE_TS]: [TYPESCRIPT_STAND_IN, "typescript.json"],
    [ANNOTATIONS]: [grammarFile("threadlens-annotations.tmLanguage.json"), "annotations.json"],
    "source.tltrace": [grammarFile("tltrace.tmLanguage.json"), "tltrace.json"],
  };
  const injectTo = (
    JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as {
      contributes: { grammars: { scopeName: string; injectTo?: string[] }[] };
    }
  ).contributes.grammars.find((g) => g.scopeName === ANNOTATIONS)?.injectTo;
  registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) => {
      const found = raw[scopeName];
      return found === undefined ? null : textmate.parseRawGrammar(found[0], found[1]);
    },
    getInjections: (scopeName) => (injectTo?.includes(scopeName) ? [ANNOTATIONS] : undefined),
  });
});

async function tokenize(scopeName: string, text: string): Promise<Token[][]> {
  const grammar = await registry.loadGrammar(scopeName);
  assert.ok(grammar, `grammar ${scopeName}`);
  let state = textmate.INITIAL;
  return text.split("\n").map((line) => {
    const result = grammar.tokenizeLine(line, state);
    state = result.ruleStack;
    return result.tokens.map((t) => ({
      text: line.slice(t.startIndex, t.endIndex),
      scopes: t.scopes,
    }));
  });
}

/** The tokens of a line with a scope ending in `suffix`, as "text=scope". */
function scoped(tokens: readonly Token[], suffix: string): string[] {
  return tokens.flatMap((t) => {
    const scope = t.scopes.find((s) => s.endsWith(suffix));
    return scope === undefined ? [] : [`${t.text.trim()}=${scope}`];
  });
}

describe("grammar: lock-order annotations in TypeScript comments", () => {
  test("package.json injects it into TypeScript and JavaScript, into comments", () => {
    const grammar = JSON.parse(grammarFile("threadlens-annotations.tmLanguage.json")) as {
      scopeName: string;
      injectionSelector: string;
    };
    assert.equal(grammar.scopeName, ANNOTATIONS);
    assert.equal(grammar.injectionSelector, "L:comment");
  });

  test("keyword, lock names and operators of a chain in a line comment", async () => {
    const [line] = await tokenize(SOURCE_TS, "// threadlens: order lockA < lockB < this.lockC");
    assert.deepEqual(scoped(line!, ".threadlens.annotation"), [
      "threadlens=keyword.other.threadlens.annotation",
      ":=punctuation.separator.key-value.threadlens.annotation",
      "order=keyword.control.order.threadlens.annotation",
      "lockA=variable.other.lock.threadlens.annotation",
      "<=keyword.operator.order.threadlens.annotation",
      "lockB=variable.other.lock.threadlens.annotation",
      "<=keyword.operator.order.threadlens.annotation",
      "this.lockC=variable.other.lock.threadlens.annotation",
    ]);
    for (const token of line!) assert.ok(token.scopes.includes("comment.line.double-slash.ts"));
  });

  test("in a block comment it ends with the comment; code after it is code", async () => {
    const [line] = await tokenize(SOURCE_TS, "/* threadlens: order a < b */ const x = 1;");
    assert.deepEqual(
      scoped(line!, "lock.threadlens.annotation").map((s) => s.split("=")[0]),
      ["a", "b"],
    );
    const after = line!.filter((t) => t.text.includes("const"));
    assert.deepEqual(after[0]?.scopes, [SOURCE_TS, "storage.type.ts"]);
  });

  test("nothing outside comments, nor in comments that are not an order", async () => {
    const lines = await tokenize(
      SOURCE_TS,
      [
        'const s = "threadlens: order a < b";',
        "// order a < b",
        "// threadlens: ordering is fine",
      ].join("\n"),
    );
    for (const line of lines) assert.deepEqual(scoped(line, ".threadlens.annotation"), []);
  });

  test("the annotated fixture: its order's two locks, on the comment's line only", async () => {
    const text = readFileSync(new URL("test/fixtures/static/annotated.ts", root), "utf8");
    const lines = await tokenize(SOURCE_TS, text);
    const marked = lines.flatMap((tokens, i) =>
      scoped(tokens, "lock.threadlens.annotation").map((s) => `${i + 1}:${s.split("=")[0]}`),
    );
    const at = text.split("\n").findIndex((l) => l.includes("threadlens: order")) + 1;
    assert.deepEqual(marked, [`${at}:accounts`, `${at}:audit`]);
  });
});

describe("grammar: .tltrace", () => {
  test("a written trace: header, records, every event kind; nothing marked invalid", async () => {
    const meta: MetaRecord[] = [
      { type: "thread", ident: 1, name: "main", kind: "main", parent: 0, daemon: false },
      {
        type: "site",
        id: 7,
        frames: [{ file: "/app/src/app.ts", line: 10, column: 5, function: "doA" }],
      },
      { type: "object", id: 2, kind: "Lock", name: "lockA", site: 7, capacity: 0 },
      { type: "dropped", thread: 1, count: 3 },
    ];
    const events = EVENT_KINDS.map((kind, i) => ({
      kind,
      thread: 1,
      object: 2,
      site: 7,
      time: 1000 + i,
      flag: i % 2 === 0,
    }));
    const text = writeTrace({ meta, events });
    const lines = (await tokenize("source.tltrace", text)).slice(0, -1);
    assert.deepEqual(scoped(lines[0]!, "keyword.other.header.tltrace"), [
      "threadlens trace=keyword.other.header.tltrace",
    ]);
    assert.deepEqual(
      lines.slice(1, 1 + meta.length).map((l) => scoped(l, "control.record.tltrace")[0]),
      [
        "thread=keyword.control.record.tltrace",
        "site=keyword.control.record.tltrace",
        "object=keyword.control.record.tltrace",
        "dropped=keyword.control.record.tltrace",
      ],
    );
    assert.deepEqual(
      lines.slice(1 + meta.length).map((l) => scoped(l, "event-kind.tltrace")[0]),
      EVENT_KINDS.map((kind) => `${kind}=keyword.other.event-kind.tltrace`),
    );
    for (const [i, line] of lines.entries()) {
      assert.deepEqual(
        scoped(line, ".tltrace").filter((s) => s.includes("invalid")),
        [],
        `${i}`,
      );
    }
    const [bad] = await tokenize("source.tltrace", "12.000 acquired-ish thread=1");
    assert.ok(bad!.some((t) => t.scopes.includes("invalid.illegal.record.tltrace")));
  });
});
