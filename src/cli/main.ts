#!/usr/bin/env node
// The `threadlens` command (DESIGN section 8): run a program under the recorder, check sources
// statically, or convert a trace. Exit code 3 for usage and start errors, with a message that
// says what to fix.
import { readFileSync, writeFileSync } from "node:fs";
import { toPerfetto } from "../protocol/perfetto.ts";
import { TraceParseError, parseTrace } from "../protocol/traceTextReader.ts";
import { USAGE, UsageError, parseArgs } from "./args.ts";
import { EXIT_START } from "../launch/exitCodes.ts";
import { StartError, run } from "./run.ts";

function exportPerfetto(tracePath: string, out: string): number {
  let text: string;
  try {
    text = readFileSync(tracePath, "utf8");
  } catch (error) {
    throw new StartError(`cannot read ${tracePath}: ${(error as Error).message}`);
  }
  try {
    writeFileSync(out, JSON.stringify(toPerfetto(parseTrace(text))));
  } catch (error) {
    if (error instanceof TraceParseError) throw new StartError(`${tracePath}: ${error.message}`);
    throw error;
  }
  return 0;
}

async function main(argv: readonly string[]): Promise<number> {
  try {
    const cmd = parseArgs(argv);
    switch (cmd.command) {
      case "help":
        process.stdout.write(`${USAGE}\n`);
        return 0;
      case "version":
        process.stdout.write(
          `${(JSON.parse(readFileSync(`${__dirname}/../package.json`, "utf8")) as { version: string }).version}\n`,
        );
        return 0;
      case "export":
        return exportPerfetto(cmd.trace, cmd.out);
      case "run":
        return await run(cmd, __dirname);
      case "check":
        // Loaded on demand: the TypeScript compiler is only needed here.
        return (await import("./check.ts")).check(cmd, process.cwd());
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`threadlens: ${error.message}\n${USAGE}\n`);
      return EXIT_START;
    }
    if (error instanceof StartError) {
      process.stderr.write(`threadlens: ${error.message}\n`);
      return EXIT_START;
    }
    throw error;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
