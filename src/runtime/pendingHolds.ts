// Which lock holds of this OS thread the recorder must see (DESIGN 4: keep the uncontended fast
// path free). Every hold is tracked here, in preallocated arrays; it becomes an "acquired"
// event only if it matters:
// - a lock taken while its thread holds no other plays no part in the lock-order graph, and if
//   released before anything else happens, in no wait-for cycle either: it stays unrecorded;
// - a nested acquisition is a lock-order edge: recorded (with every hold of its thread) the
//   first time this thread takes this lock while holding this set of locks in the current
//   segment of its run; repeats add nothing to the graph. Starting or joining a thread begins
//   a new segment (the happens-before filter depends on it), and so do the first repeats again;
// - before anything that can block or end a thread (every precise event), all holds are
//   recorded, so a blocked thread's holds are always visible to the wait-for analysis.
// One unrecorded hold in SAMPLE_EVERY is still recorded, acquired and release, for the timeline,
// at most one per SAMPLE_GAP_MICROS in a thread: a hot loop's samples were nearly every event of
// its run (4 threads taking two locks 200,000 times: 12,800 of 13,000), and analyzing them, with
// the compilations that brought on, was most of what recording cost the program.
// The common case, one lock taken while nothing else is tracked and released before anything
// else happens, lives in the "solo" slot below: plain variables, no array stores. The next most
// common, a second lock taken by the same logical thread while it holds the solo one, when
// that nested acquisition was recorded already in this segment (a repeat: nothing to record),
// lives in the "duo" slot beside it (acquireAllSync of two locks: the arrays' stores, the
// seen-set lookups and the removals were most of what recording added to it). Whatever needs
// the whole picture (another acquisition, recording before a block, a release out of order)
// first moves those holds into the arrays, where they behave exactly as if they had always
// been there.
import {
  coarseTime,
  publish,
  emitAcquiredAt,
  emitRelease,
  emitReleaseAt,
  preciseTime,
  emitSharedAcquiredAt,
  emitSharedRelease,
  emitSharedReleaseAt,
  setBeforePreciseEvent,
  siteOfRawStack,
} from "./recording.ts";

const CAPACITY = 64;
const SAMPLE_EVERY = 256; // a power of two: the sample test is a mask
/** At most one sampled hold per this many microseconds of a thread's run (by acquisition time). */
const SAMPLE_GAP_MICROS = 10_000;

interface HeldLock {
  readonly id: number;
  /** A shared hold (a read lock): its events carry the shared mark. */
  readonly shared?: boolean;
  /** Whether `ident` still holds it (a plain Lock may have been released by another thread). */
  isHeldBy(ident: number): boolean;
}

const locks: (HeldLock | undefined)[] = new Array<HeldLock | undefined>(CAPACITY).fill(undefined);
const idents = new Int32Array(CAPACITY);
const sites = new Int32Array(CAPACITY);
// A hold's site may be a raw stack (`new Error()`, a few microseconds), turned into a site id
// (formatting, source maps, interning: a hundred microseconds) only if the hold is recorded:
// most holds never are, and their acquisition is inside someone's critical section.
const stacks: (Error | undefined)[] = new Array<Error | undefined>(CAPACITY).fill(undefined);
const times = new Int32Array(CAPACITY);
const recorded = new Uint8Array(CAPACITY);
let count = 0;
let unrecordedHolds = 0;

// The solo hold: set only while `count` is 0; never recorded while it stays here.
let soloLock: HeldLock | undefined;
let soloIdent = 0;
let soloSite = 0;
let soloStack: Error | undefined;
let soloTime = 0;
// The duo hold: set only while the solo one is, by the same logical thread (see above).
let duoLock: HeldLock | undefined;
let duoSite = 0;
let duoStack: Error | undefined;
let duoTime = 0;
/** Which slot the last releaseSolo() emptied (for unreleaseSolo). */
let emptiedDuo = false;
/** When the last sampled hold was taken (µs); the first one is always due. */
let lastSampleTime = -SAMPLE_GAP_MICROS;

/**
 * Whether the unrecorded hold counted `n`-th, taken at `time`, is sampled: one in SAMPLE_EVERY,
 * SAMPLE_GAP_MICROS after the last sample at least (or before it: the clock's words wrap).
 */
function sampleDue(n: number, time: number): boolean {
  if ((n & (SAMPLE_EVERY - 1)) !== 0) return false;
  const since = time - lastSampleTime;
  return since >= SAMPLE_GAP_MICROS || since < 0;
}

/** Puts a hold of the solo's thread, not yet recorded, at `index` of the arrays, the last. */
function fillSlot(
  index: number,
  lock: HeldLock,
  site: number,
  stack: Error | undefined,
  time: number,
): void {
  locks[index] = lock;
  idents[index] = soloIdent;
  sites[index] = site;
  stacks[index] = stack;
  times[index] = time;
  recorded[index] = 0;
  count = index + 1;
}

/** Moves the solo and duo holds, if any, into the arrays (as their only entries). */
function settleSolo(): void {
  if (soloLock === undefined) return;
  fillSlot(0, soloLock, soloSite, soloStack, soloTime);
  soloLock = undefined;
  soloStack = undefined;
  if (duoLock === undefined) return;
  fillSlot(1, duoLock, duoSite, duoStack, duoTime);
  duoLock = undefined;
  duoStack = undefined;
}

/** The site of a hold: its id, else its raw stack's (interned now), else 0. */
function siteOf(site: number, stack: Error | undefined): number {
  return site !== 0 || stack === undefined ? site : siteOfRawStack(stack);
}

/** Records an unrecorded hold that ended, acquired and release, for the timeline. */
function sampleHold(lock: HeldLock, ident: number, site: number, time: number): void {
  lastSampleTime = time;
  acquiredAt(lock, ident, site, time);
  released(lock, ident);
}

function acquiredAt(lock: HeldLock, ident: number, site: number, time: number): void {
  if (lock.shared === true) emitSharedAcquiredAt(ident, lock.id, site, time);
  else emitAcquiredAt(ident, lock.id, site, time);
}

function released(lock: HeldLock, ident: number): void {
  if (lock.shared === true) emitSharedRelease(ident, lock.id);
  else emitRelease(ident, lock.id);
  // A recorded hold may have a recorded waiter: until its release is published, the lock looks
  // held by a thread that may be descheduled for long (hundreds of threads on two cores).
  publish();
}

/** Nested acquisitions recorded in this segment: lock id → signatures of (thread, held set). */
let seenNested = new Map<number, Set<number>>();

/** The signature of `ident` holding `held` (a sum over its holds: their order is irrelevant). */
function signatureStart(ident: number): number {
  return Math.imul(ident, 0x85ebca6b);
}
function signatureWith(signature: number, held: HeldLock): number {
  return (signature + Math.imul(held.id, 0x9e3779b1)) | 0;
}

// The repeats found in seenNested lately, direct-mapped by lock and signature (a lock id is
// never 0): most of them hit here instead of a map and a set lookup. Emptied with seenNested.
const REPEATS = 256;
const repeatLocks = new Int32Array(REPEATS);
const repeatSignatures = new Int32Array(REPEATS);

/** Whether `ident` taking `lock` while it holds only the solo hold was recorded already. */
function repeatOverSolo(lock: HeldLock, ident: number, solo: HeldLock): boolean {
  const signature = signatureWith(signatureStart(ident), solo);
  const slot = Math.imul(signature ^ lock.id, 0x9e3779b1) >>> 24;
  if (repeatLocks[slot] === lock.id && repeatSignatures[slot] === signature) return true;
  const seen = seenNested.get(lock.id);
  if (seen === undefined || !seen.has(signature)) return false;
  repeatLocks[slot] = lock.id;
  repeatSignatures[slot] = signature;
  return true;
}

function record(i: number): void {
  const lock = locks[i];
  if (lock === undefined || recorded[i] === 1) return;
  recorded[i] = 1;
  const site = siteOf(sites[i] ?? 0, stacks[i]);
  stacks[i] = undefined;
  acquiredAt(lock, idents[i] ?? 0, site, times[i] ?? 0);
}

function remove(i: number): void {
  // Usually the last entry (locks are mostly released in reverse order): no copying then.
  for (let j = i + 1; j < count; j++) {
    locks[j - 1] = locks[j];
    idents[j - 1] = idents[j] ?? 0;
    sites[j - 1] = sites[j] ?? 0;
    stacks[j - 1] = stacks[j];
    times[j - 1] = times[j] ?? 0;
    recorded[j - 1] = recorded[j] ?? 0;
  }
  count--;
  locks[count] = undefined;
  stacks[count] = undefined;
}

/** Drops holds that ended without this thread's release (released by another thread). */
function dropStale(): void {
  for (let i = count - 1; i >= 0; i--) {
    const lock = locks[i];
    if (lock !== undefined && !lock.isHeldBy(idents[i] ?? 0)) remove(i);
  }
}

/** Records every hold not recorded yet (before a thread may block). */
export function recordAllHolds(): void {
  settleSolo();
  dropStale();
  for (let i = 0; i < count; i++) record(i);
}

/** A new segment of the run (a thread started or joined): nested acquisitions count anew. */
export function newSegment(): void {
  if (seenNested.size === 0) return;
  seenNested = new Map();
  repeatLocks.fill(0);
}

// Acquisitions this OS thread recorded a request for (it had to wait: acquire-request) and has
// not got yet. The acquisition that ends such a wait is always recorded, and published at once:
// left out, the analysis would see the thread blocked in that request for good while it runs
// on, taking and releasing locks unseen; with every other thread in the same state (hundreds of
// threads sharing nested locks on two cores), that was a false hang (issue 12).
const MAX_OPEN = 16;
const openIdents = new Int32Array(MAX_OPEN);
const openObjects = new Int32Array(MAX_OPEN);
let open = 0;

/** `ident` recorded a request for `object` (it waits for it now). */
export function requestRecorded(ident: number, object: number): void {
  if (open === MAX_OPEN) {
    // A request whose end never came here (an exception inside the wait): the oldest goes.
    openIdents.copyWithin(0, 1);
    openObjects.copyWithin(0, 1);
    open--;
  }
  openIdents[open] = ident;
  openObjects[open] = object;
  open++;
}

/**
 * The request of `ident` for `object` ended (acquired, or timed out); whether there was one. A
 * request of another logical thread of this OS thread for the same object will do when the
 * acquisition is recorded as another (a Promise.all branch told apart after the request).
 */
export function requestEnded(ident: number, object: number): boolean {
  let found = -1;
  for (let i = open - 1; i >= 0; i--) {
    if (openObjects[i] !== object) continue;
    if (found < 0) found = i;
    if (openIdents[i] !== ident) continue;
    found = i;
    break;
  }
  if (found < 0) return false;
  openIdents.copyWithin(found, found + 1, open);
  openObjects.copyWithin(found, found + 1, open);
  open--;
  return true;
}

/**
 * `ident` took `lock` at `site` (0 if not captured), or where `stack` was captured (a raw stack,
 * interned only if the hold is recorded); records what the analysis needs.
 */
export function holdAcquired(lock: HeldLock, ident: number, site: number, stack?: Error): void {
  if (count === 0 && open === 0) {
    const solo = soloLock;
    if (solo === undefined) {
      soloLock = lock;
      soloIdent = ident;
      soloSite = site;
      soloStack = stack;
      soloTime = coarseTime();
      return;
    }
    if (
      duoLock === undefined &&
      soloIdent === ident &&
      solo !== lock &&
      repeatOverSolo(lock, ident, solo)
    ) {
      duoLock = lock;
      duoSite = site;
      duoStack = stack;
      duoTime = coarseTime();
      return;
    }
  }
  holdAcquiredTracked(lock, ident, site, stack);
}

// Kept out of holdAcquired(), which V8 inlines into every acquire: with this body inlined too,
// the recorded acquireSync() grew too big to be inlined into its callers.
function holdAcquiredTracked(
  lock: HeldLock,
  ident: number,
  site: number,
  stack: Error | undefined,
): void {
  settleSolo(); // a no-op unless the solo hold is the only one (count is 0 then)
  if (count === CAPACITY) dropStale();
  const waited = open > 0 && requestEnded(ident, lock.id);
  // Signature of this thread and what it holds now (a sum, so the order of holds is irrelevant).
  let holding = false;
  let signature = signatureStart(ident);
  for (let i = 0; i < count; i++) {
    if (idents[i] !== ident) continue;
    holding = true;
    signature = signatureWith(signature, locks[i] as HeldLock);
  }
  let recordNow = false;
  if (holding) {
    let seen = seenNested.get(lock.id);
    if (seen === undefined) seenNested.set(lock.id, (seen = new Set()));
    if (!seen.has(signature)) {
      seen.add(signature);
      recordNow = true;
    }
  }
  if (count === CAPACITY) {
    // More holds than tracked: record this one directly.
    acquiredAt(lock, ident, siteOf(site, stack), coarseTime());
    if (waited) publish();
    return;
  }
  locks[count] = lock;
  idents[count] = ident;
  sites[count] = site;
  stacks[count] = stack;
  times[count] = coarseTime();
  recorded[count] = 0;
  count++;
  if (recordNow) {
    // The edge: every hold of this thread, then this acquisition.
    for (let i = 0; i < count; i++) if (idents[i] === ident) record(i);
  }
  if (waited) {
    record(count - 1);
    publish();
  }
}

/** `ident` released `lock`. */
export function holdReleased(lock: HeldLock, ident: number): void {
  if (duoLock === lock && soloIdent === ident) {
    duoLock = undefined;
    unrecordedHolds = (unrecordedHolds + 1) | 0;
    if (sampleDue(unrecordedHolds, duoTime)) {
      sampleHold(lock, ident, siteOf(duoSite, duoStack), duoTime);
    }
    duoStack = undefined;
    return;
  }
  if (duoLock !== undefined) settleSolo(); // released out of order: the arrays decide
  if (soloLock === lock && soloIdent === ident) {
    soloLock = undefined;
    unrecordedHolds = (unrecordedHolds + 1) | 0;
    if (sampleDue(unrecordedHolds, soloTime)) {
      sampleHold(lock, ident, siteOf(soloSite, soloStack), soloTime);
    }
    soloStack = undefined;
    return;
  }
  for (let i = count - 1; i >= 0; i--) {
    if (locks[i] !== lock || idents[i] !== ident) continue;
    if (recorded[i] === 1) released(lock, ident);
    else {
      unrecordedHolds = (unrecordedHolds + 1) | 0;
      if (sampleDue(unrecordedHolds, times[i] ?? 0)) {
        sampleHold(lock, ident, siteOf(sites[i] ?? 0, stacks[i]), times[i] ?? 0);
      }
    }
    remove(i);
    return;
  }
  // Not taken by `ident` (a plain Lock released by another thread): always recorded.
  released(lock, ident);
}

/**
 * The common release, decided without the lock word: `ident` releases its solo hold `lock`, and
 * this is not the release that is sampled. Then the hold is gone and true is returned, before
 * the caller frees the word; a caller that finds the word already free (a bad release) puts the
 * hold back with unreleaseSolo(). False otherwise: holdReleased() decides, after the word check.
 */
export function releaseSolo(lock: HeldLock, ident: number): boolean {
  if (soloIdent !== ident) return false;
  const duo = duoLock === lock;
  if (!duo && (soloLock !== lock || duoLock !== undefined)) return false;
  const n = (unrecordedHolds + 1) | 0;
  // The sampled release emits events, which must not precede the bad-release check.
  if (sampleDue(n, duo ? duoTime : soloTime)) return false;
  if (duo) duoLock = undefined;
  else soloLock = undefined;
  emptiedDuo = duo;
  unrecordedHolds = n;
  return true;
}

/**
 * Undoes the releaseSolo() that just returned true (nothing else ran in between: the solo
 * variables still hold the hold), so a bad release sees exactly the holds it saw before.
 */
export function unreleaseSolo(lock: HeldLock): void {
  if (emptiedDuo) duoLock = lock;
  else soloLock = lock;
  unrecordedHolds = (unrecordedHolds - 1) | 0;
}

/**
 * A hold of a primitive of another process (process/remote.ts), recorded at once with the
 * precise time: the owner's release that let it in was recorded in another process, and the
 * run orders the two by their times. Every earlier hold of this thread is recorded first.
 */
export function holdAcquiredNow(lock: HeldLock, ident: number, site: number): void {
  recordAllHolds();
  if (count === CAPACITY) dropStale();
  if (count < CAPACITY) {
    locks[count] = lock;
    idents[count] = ident;
    sites[count] = site;
    stacks[count] = undefined;
    times[count] = preciseTime();
    recorded[count] = 1;
    count++;
  }
  acquiredAt(lock, ident, site, preciseTime());
  publish();
}

/** The release of a holdAcquiredNow() hold (or of a hold of another thread), precise time. */
export function holdReleasedNow(lock: HeldLock, ident: number): void {
  settleSolo();
  for (let i = count - 1; i >= 0; i--) {
    if (locks[i] !== lock || idents[i] !== ident) continue;
    remove(i);
    break;
  }
  if (lock.shared === true) emitSharedReleaseAt(ident, lock.id, preciseTime());
  else emitReleaseAt(ident, lock.id, preciseTime());
}

/** Whether `ident` holds anything now (decides site capture for nested acquisitions). */
export function holdsAny(ident: number): boolean {
  if (soloLock !== undefined) return soloIdent === ident;
  for (let i = 0; i < count; i++) if (idents[i] === ident) return true;
  return false;
}

setBeforePreciseEvent(recordAllHolds);
