// `npm test`'s type check and lint in one process (scripts/test.mjs runs it as one job of its
// pool): what `npm run typecheck` and `npm run lint` check, with one TypeScript program for
// both. The type check builds the program of tsconfig.json (src, test, bench, scripts,
// examples) and of media/webview/tsconfig.json, as `tsc --noEmit` does; ESLint then runs with
// eslint.config.mjs as `eslint .` does, its type-aware rules (src/: switch exhaustiveness) given
// that program (typescript-eslint's parserOptions.programs) instead of building its own through
// the project service, which cost `eslint .` about 7 s of its 17 s of CPU time. The three
// commands one after the other took 33.0-38.5 s of CPU time, this 28.2-29.3 s (two rounds
// alternating, load 6-9).
// Prints tsc's and ESLint's own reports; exits 1 when either found an error.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import ts from "typescript";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
process.chdir(root);

/** tsc's reading of a tsconfig file (its diagnostics, if any, are reported with the program's). */
function programOf(configFile) {
  const configErrors = [];
  const host = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => configErrors.push(d),
  };
  const config = ts.getParsedCommandLineOfConfigFile(configFile, undefined, host);
  if (config === undefined) return { program: undefined, diagnostics: configErrors };
  const program = ts.createProgram({
    rootNames: config.fileNames,
    options: config.options,
    projectReferences: config.projectReferences,
    configFileParsingDiagnostics: config.errors,
  });
  return { program, diagnostics: [...ts.getPreEmitDiagnostics(program)] };
}

const formatHost = {
  getCanonicalFileName: (f) => f,
  getCurrentDirectory: () => root,
  getNewLine: () => "\n",
};

let failed = false;
let mainProgram;
for (const configFile of ["tsconfig.json", "media/webview/tsconfig.json"]) {
  const { program, diagnostics } = programOf(configFile);
  mainProgram ??= program;
  if (diagnostics.length === 0) continue;
  failed ||= diagnostics.some((d) => d.category === ts.DiagnosticCategory.Error);
  const format = process.stdout.isTTY
    ? ts.formatDiagnosticsWithColorAndContext
    : ts.formatDiagnostics;
  process.stdout.write(`# typecheck (${configFile}):\n${format(diagnostics, formatHost)}\n`);
}

const eslint = new ESLint({
  cwd: root,
  overrideConfig:
    mainProgram === undefined
      ? []
      : [
          {
            files: ["src/**/*.ts"],
            languageOptions: { parserOptions: { projectService: false, programs: [mainProgram] } },
          },
        ],
});
const results = await eslint.lintFiles(["."]);
const report = await (await eslint.loadFormatter("stylish")).format(results);
if (report !== "") process.stdout.write(`# lint:\n${report}\n`);
failed ||= results.some((r) => r.errorCount > 0 || r.fatalErrorCount > 0);
process.exit(failed ? 1 : 0);
