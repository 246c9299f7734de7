// `threadlens run`: runs the program under the preload and its recorder, relays the program's
// output, stops it when the recorder reports it blocked, and turns the recorder's report into
// the exit code, the human report and the JSON (DESIGN section 8).
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { transformSync } from "esbuild";
import { formatReport } from "../analysis/humanReport.ts";
import {
  ENV_OUTPUT_FD,
  ENV_PROGRAM,
  ENV_TIMEOUT_MS,
  ENV_TRACE_FILE,
  type RecorderOutput,
} from "../protocol/recorderControl.ts";
import type { Finding, Report } from "../protocol/report.ts";
import { isTypeScriptFile, toSyntaxError } from "../runtime/tsTransform.ts";
import type { Command } from "./args.ts";

type RunCommand = Extract<Command, { command: "run" }>;

/** A program that cannot start (missing, not compilable): exit code 3 with this message. */
export class StartError extends Error {
  override name = "StartError";
}

export const EXIT_FINDINGS = 1;
export const EXIT_BLOCKED = 2;
export const EXIT_START = 3;

/** Fails early, with the compiler's message and location, on what would not start. */
function checkProgram(file: string, given: string): void {
  if (!existsSync(file)) throw new StartError(`cannot find program ${given} (looked at ${file})`);
  if (!statSync(file).isFile()) throw new StartError(`${given} is not a file`);
  if (!isTypeScriptFile(file)) return;
  try {
    transformSync(readFileSync(file, "utf8"), {
      loader: file.endsWith("x") ? "tsx" : "ts",
      logLevel: "silent",
    });
  } catch (error) {
    throw new StartError(
      `TypeScript syntax error: ${(toSyntaxError(file, error) as Error).message}`,
    );
  }
}

function exitCodeOf(report: Report, blocked: boolean): number {
  if (blocked) return EXIT_BLOCKED;
  if (report.findings.length > 0) return EXIT_FINDINGS;
  return report.exitCode ?? 0;
}

/** The report when the recorder could not give one (the program was killed or crashed hard). */
function fallbackReport(program: string, exitCode: number | null, findings: Finding[]): Report {
  return { version: 1, program, exitCode, threads: [], findings, droppedEvents: 0 };
}

export async function run(cmd: RunCommand, distDir: string): Promise<number> {
  const file = path.resolve(cmd.program);
  checkProgram(file, cmd.program);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    [ENV_OUTPUT_FD]: "3",
    [ENV_PROGRAM]: cmd.program,
  };
  if (cmd.trace !== undefined) env[ENV_TRACE_FILE] = path.resolve(cmd.trace);
  if (cmd.timeoutMs !== undefined) env[ENV_TIMEOUT_MS] = String(cmd.timeoutMs);
  const register = pathToFileURL(path.join(distDir, "register.mjs")).href;
  const child = spawn(process.execPath, ["--import", register, file, ...cmd.args], {
    // With --json, stdout carries only the JSON report: the program's output goes to stderr.
    stdio: ["inherit", cmd.json ? 2 : "inherit", "inherit", "pipe"],
    env,
  });
  const findings: Finding[] = [];
  let blocked: Report | undefined;
  let final: Report | undefined;
  const output = child.stdio[3];
  const lines =
    output === null || output === undefined
      ? undefined
      : createInterface({ input: output as NodeJS.ReadableStream });
  const drained = new Promise<void>((resolve) => {
    if (lines === undefined) return resolve();
    lines.on("line", (line) => {
      let message: RecorderOutput;
      try {
        message = JSON.parse(line) as RecorderOutput;
      } catch {
        return;
      }
      if (message.type === "meta" || message.type === "events") return;
      if (message.type === "finding") findings.push(message.finding);
      else if (message.type === "report") final = message.report;
      else if (blocked === undefined) {
        blocked = message.report;
        child.kill("SIGKILL");
      }
    });
    lines.on("close", resolve);
  });
  // Backstop: if the recorder cannot stop a program at its timeout, this does.
  const backstop =
    cmd.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          if (blocked === undefined) child.kill("SIGKILL");
        }, cmd.timeoutMs + 5000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
    (resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (c, s) => resolve([c, s]));
    },
  );
  await drained;
  if (backstop !== undefined) clearTimeout(backstop);
  const stoppedReport = blocked as Report | undefined;
  const report: Report =
    stoppedReport ??
    final ??
    fallbackReport(cmd.program, code ?? (signal === null ? null : 128), findings);
  if (cmd.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stderr.write(formatReport(report));
  return exitCodeOf(report, stoppedReport !== undefined);
}
