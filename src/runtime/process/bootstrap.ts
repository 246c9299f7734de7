// What a Process hands to its child (DESIGN 3.3): the child's name, daemon flag and args, in
// one environment variable that the child reads once at start and removes, so that processes
// the child starts itself (plain forks included) do not take it for theirs.
import { v8 } from "../../protocol/lazyBuiltins.ts";
import { isMainThread } from "node:worker_threads";
import { ENV_PROCESS_BOOTSTRAP } from "./env.ts";

export { ENV_PROCESS_BOOTSTRAP };

/**
 * Environment variables stay below Linux' 128 KiB limit for one string (MAX_ARG_STRLEN): args
 * above this size are refused with a message instead of failing the spawn with E2BIG.
 */
export const MAX_BOOTSTRAP_CHARS = 120 * 1024;

export interface ProcessBootstrap {
  readonly name: string;
  readonly daemon: boolean;
  readonly args: readonly unknown[];
  /** The parent's pid: the child ends itself when it is orphaned (see childSide.ts). */
  readonly parentPid: number;
}

export function encodeBootstrap(bootstrap: ProcessBootstrap): string {
  return v8().serialize(bootstrap).toString("base64");
}

function readOwnBootstrap(): ProcessBootstrap | undefined {
  if (!isMainThread) return undefined;
  const text = process.env[ENV_PROCESS_BOOTSTRAP];
  if (text === undefined) return undefined;
  delete process.env[ENV_PROCESS_BOOTSTRAP];
  const value: unknown = v8().deserialize(Buffer.from(text, "base64"));
  return value !== null && typeof value === "object" ? (value as ProcessBootstrap) : undefined;
}

/** This process's bootstrap when a threadlens Process started it (main thread only). */
export const processBootstrap: ProcessBootstrap | undefined = readOwnBootstrap();
