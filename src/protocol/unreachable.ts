// The end of every switch over a kind: the compiler proves it unreachable (`value` is `never`
// once every case is handled), so a new kind without its case does not compile; at run time a
// hostile value that slipped past the types is an error that names it.

export class UnreachableCaseError extends Error {
  override readonly name = "UnreachableCaseError";
  constructor(readonly value: unknown) {
    super(`unhandled case: ${String(value)}`);
  }
}

export function unreachable(value: never): never {
  throw new UnreachableCaseError(value);
}
