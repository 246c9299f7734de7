#!/usr/bin/env node
// The `threadlens` command (DESIGN section 8): run a program under the recorder, check sources
// statically, or convert a trace. Exit code 3 for usage and start errors, with a message that
// says what to fix.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadTypeScript } from "../protocol/codeCache.ts";
import { toPerfetto } from "../protocol/perfetto.ts";
import { TraceParseError, parseTrace } from "../protocol/traceTextReader.ts";
import { USAGE, UsageError, parseArgs } from "./args.ts";
import { EXIT_START } from "../launch/exitCodes.ts";
import { checkOutputFile } from "../launch/supervise.ts";
import { StartError, run } from "./run.ts";

function exportPerfetto(tracePath: string, out: string): number {
  // Before the work: an output that cannot be written is a usage error, not a stack trace.
  checkOutputFile(path.resolve(out), out);
  let text: string;
  try {
    text = readFileSync(tracePath, "utf8");
  } catch (error) {
    throw new StartError(`cannot read ${tracePath}: ${(error as Error).message}`);
  }
  let json: string;
  try {
    json = JSON.stringify(toPerfetto(parseTrace(text)));
  } catch (error) {
    if (error instanceof TraceParseError) throw new StartError(`${tracePath}: ${error.message}`);
    throw error;
  }
  try {
    writeFileSync(out, json);
  } catch (error) {
    throw new StartError(`cannot write ${out}: ${(error as Error).message}`);
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
      case "explore":
        return await (await import("./explore.ts")).explore(cmd, __dirname);
      case "check":
        // Loaded on demand: the TypeScript compiler is only needed here (and by run's fix checks).
        loadTypeScript(require.resolve("typescript"));
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
    // A bug of threadlens: exit 3 with what happened, never 1 (which means "findings").
    process.stderr.write(`threadlens: internal error: ${internalError(error)}\n`);
    return EXIT_START;
  }
}

function internalError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

// Whatever escapes main (an error in a callback of the supervision) is a failure of threadlens.
process.on("uncaughtException", (error) => {
  process.stderr.write(`threadlens: internal error: ${internalError(error)}\n`);
  process.exit(EXIT_START);
});

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
