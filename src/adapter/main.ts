// The standalone debug adapter, `node dist/adapter.js`: DAP on stdin/stdout (DESIGN 8), for any
// DAP client and the tests. The extension runs the same session inline.
import { loadTypeScript } from "../protocol/codeCache.ts";
import { ThreadlensDebugSession } from "./session.ts";

const session = new ThreadlensDebugSession({
  distDir: __dirname,
  // The TypeScript compiler with its code cache, before the fix checks first require it.
  beforeFixChecks: () => loadTypeScript(require.resolve("typescript")),
});
// The client stops the adapter with SIGTERM; the program must not outlive it.
process.on("SIGTERM", () => session.shutdown());
process.on("exit", () => session.killProgram());
session.start(process.stdin, process.stdout);
