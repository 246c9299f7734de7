// The standalone debug adapter, `node dist/adapter.js`: DAP on stdin/stdout (DESIGN 8), for any
// DAP client and the tests. The extension runs the same session inline.
// First: the TypeScript compiler (the fix checks') with its code cache, before the session's
// modules require it.
import "./typeScriptFirst.ts";
import { ThreadlensDebugSession } from "./session.ts";

const session = new ThreadlensDebugSession({ distDir: __dirname });
// The client stops the adapter with SIGTERM; the program must not outlive it.
process.on("SIGTERM", () => session.shutdown());
process.on("exit", () => session.killProgram());
session.start(process.stdin, process.stdout);
