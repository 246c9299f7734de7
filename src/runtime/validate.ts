// Argument checks shared by every primitive: the message names the API and the bad value, so
// the user can fix the call without reading threadlens' source.
import { ArgumentError } from "./errors.ts";

export interface TimeoutOptions {
  /** Milliseconds to wait at most; omitted or Infinity waits forever. */
  readonly timeout?: number | undefined;
}

export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean")
    return String(value);
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  return Object.prototype.toString.call(value);
}

/** Converts `{ timeout }` into an absolute deadline (performance.now() based); Infinity = none. */
export function deadlineOf(api: string, options: TimeoutOptions | undefined): number {
  if (options === undefined || options === null) return Infinity;
  if (typeof options !== "object") {
    throw new ArgumentError(
      `${api}: options must be an object like { timeout: 100 }, got ${describe(options)}`,
    );
  }
  const t = options.timeout;
  if (t === undefined || t === Infinity) return Infinity;
  if (typeof t !== "number" || Number.isNaN(t) || t < 0) {
    throw new ArgumentError(
      `${api}: timeout must be a non-negative number of milliseconds, got ${describe(t)}`,
    );
  }
  return performance.now() + t;
}

/** Milliseconds left until `deadline` (never negative), Infinity when there is none. */
export function remaining(deadline: number): number {
  if (deadline === Infinity) return Infinity;
  const left = deadline - performance.now();
  return left > 0 ? left : 0;
}

export function requireInteger(api: string, what: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new ArgumentError(`${api}: ${what} must be an integer >= ${min}, got ${describe(value)}`);
  }
  return value;
}

export function optionalName(api: string, name: unknown): string | undefined {
  if (name === undefined) return undefined;
  if (typeof name !== "string" || name.length === 0) {
    throw new ArgumentError(`${api}: name must be a non-empty string, got ${describe(name)}`);
  }
  return name;
}

/** Constructors take a name or an options object with one: `new Lock("a")`, `new Event({ name })`. */
export function nameOptions<T extends { readonly name?: string }>(api: string, arg: unknown): T {
  if (arg === undefined) return {} as T;
  if (typeof arg === "string") return { name: optionalName(api, arg) } as T;
  if (arg !== null && typeof arg === "object") {
    optionalName(api, (arg as { name?: unknown }).name);
    return arg as T;
  }
  throw new ArgumentError(`${api}: expected a name or an options object, got ${describe(arg)}`);
}
