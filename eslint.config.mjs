// ESLint flat config: typescript-eslint's recommended rules over every TypeScript file.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", ".e2e-cache/**", "test/e2e/.run/**"] },
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
  // The Threads view's page script runs in the webview (a browser), not in Node.
  {
    files: ["media/webview/**/*.ts"],
    languageOptions: { globals: { ...globals.browser } },
  },
);
