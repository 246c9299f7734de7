// Messages between a Pool and its workers (the one place their shape is defined).

export interface PoolRequest {
  readonly id: number;
  readonly fn: string;
  readonly args: readonly unknown[];
}

export interface PoolFailure {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
}

export type PoolReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: PoolFailure };
