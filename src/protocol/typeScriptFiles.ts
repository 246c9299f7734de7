// Which files are TypeScript, and esbuild's error on one that does not compile as a syntax error
// that says where: shared by the preload's loader (src/runtime) and the launcher's check of a
// program before it starts (src/launch). Only node:path.
import path from "node:path";

const TS_FILE = /\.(?:[cm]?ts|tsx)$/;

export function isTypeScriptFile(file: string): boolean {
  return TS_FILE.test(file) && !file.endsWith(".d.ts");
}

interface EsbuildMessage {
  readonly text: string;
  readonly location: {
    readonly file: string;
    readonly line: number;
    readonly column: number;
    readonly lineText: string;
  } | null;
}

/** A TypeScript file that does not compile; the message is `file:line:column: text`. */
export class TypeScriptSyntaxError extends SyntaxError {
  override name = "SyntaxError";
  constructor(
    message: string,
    readonly file: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

export function toSyntaxError(file: string, error: unknown): unknown {
  const errors = (error as { errors?: EsbuildMessage[] }).errors;
  const first = errors?.[0];
  if (first === undefined) return error;
  const loc = first.location;
  const line = loc?.line ?? 1;
  const column = (loc?.column ?? 0) + 1;
  const where = `${path.relative(process.cwd(), file) || file}:${line}:${column}`;
  const snippet = loc === null ? "" : `\n    ${loc.lineText}\n    ${" ".repeat(loc.column)}^`;
  return new TypeScriptSyntaxError(`${where}: ${first.text}${snippet}`, file, line, column);
}
