// The human report in the Debug Console: the same text as `threadlens run` prints, cut into
// output events so that each line naming a source position carries it as the event's DAP
// `source`/`line`/`column` (the console shows it as a link to that line), with paths relative
// to the program's working directory (the workspace folder, by default).
import { OutputEvent, Source } from "@vscode/debugadapter";
import type { DebugProtocol } from "@vscode/debugprotocol";
import path from "node:path";
import { formatReport } from "../analysis/humanReport.ts";
import type { Report } from "../protocol/report.ts";

/** "file.ts:12:5" at a line's end, alone or in parentheses (a stack frame). */
const POSITION = /(?:^|[\s(])([^\s():]+):(\d+):(\d+)\)?$/;

export interface ReportChunk {
  readonly text: string;
  readonly location?: { readonly file: string; readonly line: number; readonly column: number };
}

/** The report's lines, grouped: each positioned line alone, the others together. */
export function reportChunks(report: Report, cwd: string): ReportChunk[] {
  const chunks: ReportChunk[] = [];
  let plain: string[] = [];
  const flush = (): void => {
    if (plain.length > 0) chunks.push({ text: `${plain.join("\n")}\n` });
    plain = [];
  };
  for (const line of formatReport(report).trimEnd().split("\n")) {
    const match = POSITION.exec(line);
    if (match === null) {
      plain.push(line);
      continue;
    }
    flush();
    const [, file = "", row = "0", column = "0"] = match;
    const location = { file: path.resolve(cwd, file), line: Number(row), column: Number(column) };
    chunks.push({ text: `${line}\n`, location });
  }
  flush();
  return chunks;
}

/** The report as DAP output events of `category`. */
export function reportOutputEvents(
  report: Report,
  cwd: string,
  category: string,
): DebugProtocol.OutputEvent[] {
  return reportChunks(report, cwd).map((chunk) =>
    positionedOutput(chunk.text, category, chunk.location),
  );
}

/** An output event that links to `location` (absolute file, 1-based), when there is one. */
export function positionedOutput(
  text: string,
  category: string,
  location: { readonly file: string; readonly line: number; readonly column: number } | undefined,
): DebugProtocol.OutputEvent {
  const event = new OutputEvent(text, category) as DebugProtocol.OutputEvent;
  if (location !== undefined) {
    const { file, line, column } = location;
    event.body.source = new Source(path.basename(file), file);
    event.body.line = line;
    event.body.column = column;
  }
  return event;
}
