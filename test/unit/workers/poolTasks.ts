// Pool module for the Pool contract tests.
export function square(x: number): number {
  return x * x;
}

export async function slowAdd(a: number, b: number): Promise<number> {
  await new Promise((r) => setTimeout(r, 5));
  return a + b;
}

export function fail(message: string): never {
  throw new Error(message);
}

export function quit(code: number): never {
  process.exit(code);
}
