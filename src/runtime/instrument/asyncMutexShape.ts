// The shape of async-mutex's ES module build (index.mjs) that asyncMutexModule.ts instruments in
// place: constructors that assign their first field (a setter on the prototype sees each
// construction), withTimeout's two call sites of its sync object's acquire (its waits are
// timed), tryAcquire through withTimeout, and the exports. Written from 0.5's build; another
// shape gets the module hooks, which replace the classes in the module's source.
const SHAPES = [
  /\bclass Semaphore \{\s+constructor\(_value, _cancelError = E_CANCELED\) \{\s+this\._value = _value;/,
  /\bclass Mutex \{\s+constructor\(cancelError\) \{\s+this\._semaphore = new Semaphore\(1, cancelError\);/,
  /\? sync\.acquire\(weight, priority\)\s+: sync\.acquire\(priority\)\);/,
  /\bfunction tryAcquire\(sync, alreadyAcquiredError = E_ALREADY_LOCKED\) \{[^}]*return withTimeout\(sync, 0, alreadyAcquiredError\);/,
  /\bexport \{[^}]*\bMutex, Semaphore, tryAcquire, withTimeout \};/,
];

/** Whether index.mjs's source has the shape this patching relies on. */
export function asyncMutexSourcePatchable(source: string): boolean {
  return SHAPES.every((shape) => shape.test(source));
}
