// The promise of an async API method whose checks run before its first await: what they throw
// (a bad timeout, a closed queue) rejects the promise, as it would in an async function, instead
// of escaping the call. One helper for every primitive's async methods.

/** `f()` as a promise; a synchronous throw of `f` rejects it. A promise `f` returns is itself. */
export function promiseOf<T>(f: () => T | PromiseLike<T>): Promise<T> {
  try {
    return Promise.resolve(f());
  } catch (error) {
    return Promise.reject(error);
  }
}
