// The `launch` attributes of debug type `threadlens` (DESIGN 6). This file is the one place
// they are declared: the extension's package.json `configurationAttributes` mirror it, so a
// change here is a change there.
import type { DebugProtocol } from "@vscode/debugprotocol";
import { ScheduleTokenError, decodeSchedule } from "../protocol/schedule.ts";

export interface ThreadlensLaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** The .ts/.js program to run (required); relative paths are relative to `cwd`. */
  readonly program: string;
  /** Command-line arguments of the program. */
  readonly args?: readonly string[];
  /** Working directory of the program (default: the adapter's); report paths are relative to it. */
  readonly cwd?: string;
  /** Environment variables added to the adapter's; `null` removes one. */
  readonly env?: Readonly<Record<string, string | null>>;
  /** The node executable (default: the node running the adapter, or `node` from PATH). */
  readonly runtimeExecutable?: string;
  /** Node options, placed before the threadlens preload. */
  readonly runtimeArgs?: readonly string[];
  /** Stop with reason `deadlock` when threads deadlock (default true). */
  readonly stopOnDeadlock?: boolean;
  /** Stop, once the program has ended, on a lock-order inversion that can deadlock (default false). */
  readonly stopOnPotentialDeadlock?: boolean;
  /** Warn while a lock is held, or waited for, longer than this (ms) (default: never). */
  readonly lockTimeoutWarningMs?: number;
  /** Keep the trace in this .tltrace file (relative to `cwd`). */
  readonly trace?: string;
  /** Replay this schedule token (DESIGN 8.1: from `threadlens explore` or `run --confirm`). */
  readonly schedule?: string;
}

/** A launch attribute's JSON type, as package.json's `configurationAttributes` declares it. */
export type LaunchAttributeType = "string" | "array" | "object" | "boolean" | "number";

type OwnAttribute = Exclude<
  keyof ThreadlensLaunchArguments,
  keyof DebugProtocol.LaunchRequestArguments
>;

/**
 * Every launch attribute with its JSON type and what its value must be: parseLaunchArguments
 * checks types with this table, and a unit test compares package.json's
 * `configurationAttributes.launch.properties` against it (same names, same types).
 */
export const LAUNCH_ATTRIBUTES = {
  program: { type: "string", expected: "a file path" },
  args: { type: "array", expected: "an array of strings" },
  cwd: { type: "string", expected: "a non-empty string" },
  env: { type: "object", expected: "an object of strings (or null to remove a variable)" },
  runtimeExecutable: { type: "string", expected: "a non-empty string" },
  runtimeArgs: { type: "array", expected: "an array of strings" },
  stopOnDeadlock: { type: "boolean", expected: "true or false" },
  stopOnPotentialDeadlock: { type: "boolean", expected: "true or false" },
  lockTimeoutWarningMs: { type: "number", expected: "a positive number of milliseconds" },
  trace: { type: "string", expected: "a non-empty string" },
  schedule: {
    type: "string",
    expected: "a schedule token (tl1.…) printed by threadlens explore or run --confirm",
  },
} as const satisfies Record<
  OwnAttribute,
  { readonly type: LaunchAttributeType; readonly expected: string }
>;

function jsonType(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}

/** Each attribute that is present has its table type (the finer checks follow). */
function checkTypes(attributes: Record<string, unknown>): void {
  for (const [name, { type, expected }] of Object.entries(LAUNCH_ATTRIBUTES)) {
    const value = attributes[name];
    if (value !== undefined && jsonType(value) !== type) fail(name, expected, value);
  }
}

/** The launch attributes checked, with their defaults applied and paths resolved. */
export interface LaunchSettings {
  readonly program: string;
  readonly args: readonly string[];
  readonly cwd: string | undefined;
  readonly env: Readonly<Record<string, string | null>>;
  readonly runtimeExecutable: string | undefined;
  readonly runtimeArgs: readonly string[];
  readonly stopOnDeadlock: boolean;
  readonly stopOnPotentialDeadlock: boolean;
  readonly lockTimeoutWarningMs: number | undefined;
  readonly trace: string | undefined;
  readonly schedule: string | undefined;
}

/** A launch configuration that cannot be used, with the message to show its author. */
export class LaunchArgumentError extends Error {
  override name = "LaunchArgumentError";
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? `the string ${JSON.stringify(value)}` : `a ${typeof value}`;
}

function fail(attribute: string, expected: string, value: unknown): never {
  throw new LaunchArgumentError(
    `launch attribute "${attribute}" must be ${expected} (it is ${describe(value)})`,
  );
}

function optionalString(raw: Record<string, unknown>, attribute: string): string | undefined {
  const value = raw[attribute];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "")
    fail(attribute, "a non-empty string", value);
  return value;
}

function stringArray(raw: Record<string, unknown>, attribute: string): readonly string[] {
  const value = raw[attribute];
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    fail(attribute, "an array of strings", value);
  }
  return value as string[];
}

function optionalBoolean(raw: Record<string, unknown>, attribute: string, fallback: boolean) {
  const value = raw[attribute];
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") fail(attribute, "true or false", value);
  return value;
}

function environment(raw: Record<string, unknown>): Readonly<Record<string, string | null>> {
  const value = raw["env"];
  if (value === undefined) return {};
  const expected = "an object of strings (or null to remove a variable)";
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    fail("env", expected, value);
  }
  for (const [name, v] of Object.entries(value)) {
    if (v !== null && typeof v !== "string") fail(`env.${name}`, "a string or null", v);
  }
  return value as Record<string, string | null>;
}

/** The `schedule` token, checked: a damaged one is a launch error that says what is wrong. */
function scheduleToken(raw: Record<string, unknown>): string | undefined {
  const token = optionalString(raw, "schedule");
  if (token === undefined) return undefined;
  try {
    decodeSchedule(token.trim());
  } catch (error) {
    if (error instanceof ScheduleTokenError) {
      throw new LaunchArgumentError(`launch attribute "schedule": ${error.message}`);
    }
    throw error;
  }
  return token.trim();
}

/** Checks the attributes a client sent (any JSON) and applies the defaults. */
export function parseLaunchArguments(raw: unknown): LaunchSettings {
  if (raw === null || typeof raw !== "object") {
    throw new LaunchArgumentError("the launch configuration must be an object");
  }
  const attributes = raw as Record<string, unknown>;
  const program = attributes["program"];
  if (program === undefined || program === "") {
    throw new LaunchArgumentError(
      'the launch configuration has no "program": set it to the .ts or .js file to run',
    );
  }
  checkTypes(attributes);
  const warning = attributes["lockTimeoutWarningMs"];
  if (warning !== undefined && (typeof warning !== "number" || !(warning > 0))) {
    fail("lockTimeoutWarningMs", "a positive number of milliseconds", warning);
  }
  return {
    program: program as string,
    args: stringArray(attributes, "args"),
    cwd: optionalString(attributes, "cwd"),
    env: environment(attributes),
    runtimeExecutable: optionalString(attributes, "runtimeExecutable"),
    runtimeArgs: stringArray(attributes, "runtimeArgs"),
    stopOnDeadlock: optionalBoolean(attributes, "stopOnDeadlock", true),
    stopOnPotentialDeadlock: optionalBoolean(attributes, "stopOnPotentialDeadlock", false),
    lockTimeoutWarningMs: warning === undefined ? undefined : (warning as number),
    trace: optionalString(attributes, "trace"),
    schedule: scheduleToken(attributes),
  };
}
