// Loads the TypeScript compiler with its code cache (protocol/codeCache.ts) for the standalone
// adapter: imported by main.ts before the session, whose fix checks require it.
import { loadTypeScript } from "../protocol/codeCache.ts";

loadTypeScript(require.resolve("typescript"));
