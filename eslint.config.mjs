// ESLint flat config: typescript-eslint's recommended rules over every TypeScript file.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

// One-way layers (docs/ARCHITECTURE.md): each folder of src/ may import only the folders below
// it. `forbidden` lists the folders a layer must not import; vscode is the extension's only.
const VSCODE = { name: "vscode", message: "Only src/extension may import vscode." };
function layer(files, forbidden, why) {
  const folders = forbidden.join("|");
  return {
    files,
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: files.some((f) => f.startsWith("src/extension")) ? [] : [VSCODE],
          patterns:
            forbidden.length === 0 ? [] : [{ regex: `^(\\.\\./)+(${folders})/`, message: why }],
        },
      ],
    },
  };
}

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "node_modules/**",
      ".e2e-cache/**",
      ".corpus-cache/**",
      "test/e2e/.run/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "no-restricted-imports": [
        "error",
        { paths: [{ name: "vscode", message: "Only src/extension may import vscode." }] },
      ],
    },
  },
  {
    files: ["src/extension/**/*.ts", "test/e2e/**/*.ts"],
    rules: { "no-restricted-imports": "off" },
  },
  layer(
    ["src/protocol/**/*.ts"],
    ["runtime", "recorder", "analysis", "launch", "cli", "adapter", "extension"],
    "src/protocol is the shared vocabulary: it imports no other layer.",
  ),
  layer(
    ["src/runtime/**/*.ts"],
    ["recorder", "analysis", "launch", "cli", "adapter", "extension"],
    "src/runtime imports only src/protocol (it runs inside the user's program).",
  ),
  layer(
    ["src/analysis/**/*.ts"],
    ["runtime", "recorder", "launch", "cli", "adapter", "extension"],
    "src/analysis is pure: it imports only src/protocol.",
  ),
  layer(
    ["src/recorder/**/*.ts"],
    ["runtime", "launch", "cli", "adapter", "extension"],
    "src/recorder imports only src/analysis and src/protocol.",
  ),
  layer(
    ["src/launch/**/*.ts"],
    ["runtime", "recorder", "analysis", "cli", "adapter", "extension"],
    "src/launch imports only src/protocol.",
  ),
  layer(
    ["src/cli/**/*.ts"],
    ["runtime", "recorder", "adapter", "extension"],
    "src/cli imports src/launch, src/analysis and src/protocol.",
  ),
  layer(
    ["src/adapter/**/*.ts"],
    ["runtime", "recorder", "cli", "extension"],
    "src/adapter imports src/launch, src/analysis and src/protocol.",
  ),
  layer(
    ["src/extension/**/*.ts"],
    ["runtime", "recorder"],
    "src/extension imports anything but the runtime's internals.",
  ),
  // Every switch over a union (kinds, traits, blockings) handles each member: type-aware, so
  // only for src/ (the tests' switches are few and the type information costs lint time).
  {
    files: ["src/**/*.ts"],
    languageOptions: { parserOptions: { projectService: true } },
    rules: {
      "@typescript-eslint/switch-exhaustiveness-check": [
        "error",
        { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false },
      ],
    },
  },
  // CommonJS programs and test suites of the loader/runner compatibility tests and the
  // real-world corpus, as users of those runners write them.
  {
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["test/fixtures/compat/runners/mocha.spec.cjs"],
    languageOptions: { globals: globals.mocha },
  },
  {
    files: ["test/fixtures/compat/runners/jest.test.cjs"],
    languageOptions: { globals: globals.jest },
  },
  // The Threads view's page script runs in the webview (a browser), not in Node.
  {
    files: ["media/webview/**/*.ts"],
    languageOptions: { globals: { ...globals.browser } },
  },
);
