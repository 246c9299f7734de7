// This process's primitive server (server.ts), started on first need: by the first primitive
// passed to a Process, or the first Manager container. It listens in a private 0700 folder
// (named like the recorder's, so a SIGKILL'd owner's folder is swept by the next run), removed
// at exit.
import { rmSync } from "node:fs";
import path from "node:path";
import type { Worker } from "node:worker_threads";
import { makeSocketDir } from "../recorderSocketDir.ts";
import { startInternalWorker } from "./internalWorker.ts";

export interface OwnServer {
  readonly worker: Worker;
  readonly socket: string;
  /** Ids of the primitives handed to it already. */
  readonly shared: Set<number>;
}

let server: OwnServer | undefined;

export function ownServer(): OwnServer {
  if (server !== undefined) return server;
  const dir = makeSocketDir();
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  const socket = path.join(dir, "primitives.sock");
  server = { worker: startInternalWorker("server", { socket }), socket, shared: new Set() };
  return server;
}
