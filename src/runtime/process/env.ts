// The environment variable a Process hands its child's bootstrap in (bootstrap.ts), apart so
// that the preload can test for it without reading (and consuming) the bootstrap itself.

/** Environment variable carrying a ProcessBootstrap (v8-serialized, base64). */
export const ENV_PROCESS_BOOTSTRAP = "THREADLENS_PROCESS";
