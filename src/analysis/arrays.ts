// Array helpers for the per-event paths, where allocation is what costs.

/** Removes the element at `index`, keeping the order (splice without its result array). */
export function removeAt<T>(array: T[], index: number): void {
  for (let i = index + 1; i < array.length; i++) array[i - 1] = array[i] as T;
  array.pop();
}
