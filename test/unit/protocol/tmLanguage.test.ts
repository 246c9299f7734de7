// syntaxes/tltrace.tmLanguage.json: valid JSON, the expected scope, and an event-kind pattern
// that knows every kind in EVENT_KINDS (a kind added to events.ts must be added there too).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { EVENT_KINDS } from "../../../src/protocol/events.ts";
import { formatEvent } from "../../../src/protocol/traceText.ts";

interface Rule {
  match?: string;
  begin?: string;
  end?: string;
  patterns?: Rule[];
  captures?: Record<string, Rule>;
  beginCaptures?: Record<string, Rule>;
}

interface Grammar {
  scopeName: string;
  fileTypes: string[];
  patterns: Rule[];
  repository: Record<string, Rule>;
}

const grammar = JSON.parse(
  readFileSync(new URL("../../../syntaxes/tltrace.tmLanguage.json", import.meta.url), "utf8"),
) as Grammar;

test("the grammar is JSON with scope source.tltrace for .tltrace files", () => {
  assert.equal(grammar.scopeName, "source.tltrace");
  assert.deepEqual(grammar.fileTypes, ["tltrace"]);
});

test("every pattern compiles (the JavaScript subset of Oniguruma it is written in)", () => {
  const walk = (rule: Rule): void => {
    for (const re of [rule.match, rule.begin, rule.end]) if (re !== undefined) new RegExp(re);
    for (const r of rule.patterns ?? []) walk(r);
    for (const r of Object.values({ ...rule.captures, ...rule.beginCaptures })) walk(r);
  };
  for (const rule of [...grammar.patterns, ...Object.values(grammar.repository)]) walk(rule);
  for (const { include } of grammar.patterns as { include?: string }[]) {
    assert.ok(include && grammar.repository[include.slice(1)], `unknown include ${include}`);
  }
});

test("the event pattern matches every event kind, as the writer writes it, and no other", () => {
  const begin = new RegExp(grammar.repository["event"]!.begin!);
  for (const kind of EVENT_KINDS) {
    const line = formatEvent({ kind, thread: 1, object: 2, site: 3, time: 12_345, flag: true });
    const m = begin.exec(line);
    assert.equal(m?.[1], "12.345", line);
    assert.equal(m?.[2], kind, line);
  }
  for (const wrong of ["acquire", "acquired-ish", "thread", "Acquired"]) {
    assert.equal(begin.exec(`1.000 ${wrong} thread=1 object=2 site=3`), null, wrong);
  }
});
