// The two virtual files every static analysis program gets: a minimal standard library (the
// analysis needs symbols and the types of lock expressions, not the whole of lib.es2024) and
// the declarations of threadlens' lock API, so `import { Lock } from "threadlens"` resolves
// whether or not the package is installed where the sources are.

export const STUB_DIR = "/__threadlens_static__";
export const LIB_FILE = `${STUB_DIR}/lib.d.ts`;
export const THREADLENS_FILE = `${STUB_DIR}/threadlens.d.ts`;

export const LIB_SOURCE = `
interface Array<T> {
  length: number;
  [n: number]: T;
  map<U>(fn: (value: T, index: number, array: T[]) => U): U[];
  forEach(fn: (value: T, index: number, array: T[]) => void): void;
}
interface ReadonlyArray<T> { readonly length: number; readonly [n: number]: T; }
interface Boolean {}
interface Function {}
interface CallableFunction extends Function {}
interface NewableFunction extends Function {}
interface IArguments {}
interface Number {}
interface Object {}
interface RegExp {}
interface String {}
interface TemplateStringsArray {}
interface Promise<T> { then<R>(fn: (value: T) => R): Promise<R>; }
interface PromiseLike<T> { then<R>(fn: (value: T) => R): PromiseLike<R>; }
interface SymbolConstructor {
  readonly dispose: unique symbol;
  readonly asyncDispose: unique symbol;
  readonly iterator: unique symbol;
  readonly asyncIterator: unique symbol;
}
declare var Symbol: SymbolConstructor;
interface Disposable { [Symbol.dispose](): void; }
interface AsyncDisposable { [Symbol.asyncDispose](): PromiseLike<void>; }
interface Iterable<T> {}
interface IterableIterator<T> {}
interface AsyncIterable<T> {}
`;

const LOCK_MEMBERS = `
    constructor(name?: string);
    acquire(options?: TimeoutOptions): Promise<boolean>;
    acquireSync(options?: TimeoutOptions): boolean;
    tryAcquire(): boolean;
    release(): void;
    readonly locked: boolean;
    readonly name: string;
    lock(options?: TimeoutOptions): Promise<LockGuard>;
    lockSync(options?: TimeoutOptions): LockGuard;
    run<T>(fn: () => T | Promise<T>): Promise<T>;
    runSync<T>(fn: () => T): T;`;

export const THREADLENS_SOURCE = `
declare module "threadlens" {
  export interface TimeoutOptions { timeout?: number; }
  export interface LockGuard extends Disposable { release(): void; }
  export class Lock {${LOCK_MEMBERS}
  }
  export class RLock {${LOCK_MEMBERS}
  }
  export class RWLock {
    constructor(name?: string);
    acquireRead(options?: TimeoutOptions): Promise<boolean>;
    acquireWrite(options?: TimeoutOptions): Promise<boolean>;
    acquireReadSync(options?: TimeoutOptions): boolean;
    acquireWriteSync(options?: TimeoutOptions): boolean;
    releaseRead(): void;
    releaseWrite(): void;
    readLock(options?: TimeoutOptions): Promise<LockGuard>;
    writeLock(options?: TimeoutOptions): Promise<LockGuard>;
    readonly readers: number;
    readonly writeLocked: boolean;
    readonly name: string;
  }
  export type AnyLock = Lock | RLock;
  export function withLock<T>(lock: AnyLock, fn: () => T | Promise<T>): Promise<T>;
  export function acquireAll(locks: readonly AnyLock[], options?: TimeoutOptions): Promise<LockGuard>;
  export function acquireAllSync(locks: readonly AnyLock[], options?: TimeoutOptions): LockGuard;
  export function threadArgs<T extends unknown[]>(): T;
}
`;
