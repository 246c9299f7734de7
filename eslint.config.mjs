// ESLint flat config: typescript-eslint's recommended rules over every TypeScript file.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

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
